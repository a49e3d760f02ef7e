from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaboratorsConfig(AppConfig):
    """The collaborator network (mạng lưới cộng tác viên dư luận xã hội), their opinion notes and briefings."""

    name = "collaborators"
    verbose_name = _("Cộng tác viên dư luận xã hội")
