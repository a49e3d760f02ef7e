from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Access rules (two-factor login, lockout page, people's API tokens) and the privacy commands (key
    rotation, retention, reporter export)."""

    name = "security"
    verbose_name = _("An toàn, bảo mật")

    def ready(self):
        from . import receivers  # noqa: F401 (connects the token revocations)
