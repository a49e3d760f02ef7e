"""What the access rules store: one-time codes that let a person enrol a second-factor device."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrolmentCode(models.Model):
    """A code an administrator gives a person (in hand, by phone) so that they may set up their authenticator.

    Without it, a password alone would be enough to enrol a device of one's own on someone else's
    account. Only a digest is kept: the code is shown once, when it is issued, and works once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("người dùng"))
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the normalised code
    created_at = models.DateTimeField(_("cấp lúc"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("người cấp"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã đăng ký xác thực hai bước")
        verbose_name_plural = _("mã đăng ký xác thực hai bước")

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"
