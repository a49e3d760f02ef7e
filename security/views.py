"""The second step of login: set up an authenticator app once, then give its code at each login."""

import base64
import io

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from .forms import TokenForm

DEVICE_NAME = "authenticator"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return "/"
    return target


def _qr_data_uri(url: str) -> str:
    out = io.BytesIO()
    write_qrcode_image(url, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


@never_cache
@login_required
def two_factor(request):
    """Verify with a confirmed device; without one, set one up (a new device only before the first is confirmed)."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    confirmed = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    setting_up = not confirmed
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        candidates = [device]
    else:
        candidates = confirmed

    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            accepted = next((d for d in candidates if d.verify_token(form.cleaned_data["token"])), None)
            if accepted is not None:
                if setting_up:
                    accepted.confirmed = True
                    accepted.save(update_fields=["confirmed"])
                otp_login(request, accepted)
                return redirect(_next_url(request))
            form.add_error("token", _("Mã xác thực không đúng hoặc đã hết hạn. Hãy thử mã mới."))
        status = 400
    context = {"form": form, "setting_up": setting_up, "next": _next_url(request)}
    if setting_up:
        device = candidates[0]
        context["qr"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "security/two_factor.html", context, status=status)
