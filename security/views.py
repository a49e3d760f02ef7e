"""The second step of login: enrol an authenticator once (with an administrator's enrolment code), then give
its code at each login; and "sign out everywhere"."""

import base64
import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from .enrolment import totp_enrolment_start
from .forms import EnrolmentCodeForm, TokenForm
from .tokens import person_sign_out_everywhere

# The unconfirmed device this session may show and confirm: set only once an enrolment code was redeemed here.
ENROLMENT_SESSION_KEY = "security_enrolling_device"


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
    """Verify with a confirmed device; without one, redeem an enrolment code, then set one device up."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    confirmed = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    setting_up = not confirmed
    if setting_up:
        device_id = request.session.get(ENROLMENT_SESSION_KEY)
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first() if device_id else None
        if device is None:
            return _enrol(request)
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
                    request.session.pop(ENROLMENT_SESSION_KEY, None)
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


def _enrol(request):
    """No device yet: the enrolment code first; a password alone shows no secret and makes no device."""
    form = EnrolmentCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            device = totp_enrolment_start(user=request.user, code=form.cleaned_data["enrolment_code"])
            if device is not None:
                request.session[ENROLMENT_SESSION_KEY] = device.pk
                return redirect(f"{reverse('security:two_factor')}?{urlencode({'next': _next_url(request)})}")
            form.add_error("enrolment_code", _("Mã đăng ký không đúng, đã dùng hoặc đã hết hạn. "
                                               "Hãy liên hệ quản trị viên để được cấp mã mới."))
        status = 400
    context = {"form": form, "enrolling": True, "next": _next_url(request)}
    return render(request, "security/two_factor.html", context, status=status)


@require_POST
@login_required
def sign_out_everywhere(request):
    """Every API token of this person revoked, every web session of theirs ended, this one included."""
    tokens, sessions = person_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("Đã đăng xuất mọi nơi: thu hồi %(tokens)d token API, kết thúc %(sessions)d phiên "
                                "đăng nhập.") % {"tokens": tokens, "sessions": sessions})
    return redirect(resolve_url(settings.LOGIN_URL))
