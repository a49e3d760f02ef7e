from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Access rules (two-factor login, lockout page) and the privacy commands (key rotation,
    retention, reporter export)."""

    name = "security"
    verbose_name = _("An toàn, bảo mật")
