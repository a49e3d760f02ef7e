"""The roles a person holds on a unit, and how far each reaches."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles a person holds on a unit (stored as guardian object permissions)."""

    INTAKE_CLERK = "intake_clerk", _("Cán bộ tiếp nhận")
    HANDLER = "handler", _("Cán bộ xử lý")
    LEADER = "leader", _("Lãnh đạo")
    SECRETARIAT = "secretariat", _("Văn phòng tổng hợp")
    SUPERVISOR = "supervisor", _("Giám sát")
    INSPECTOR = "inspector", _("Kiểm tra")
    ADMINISTRATOR = "administrator", _("Quản trị")
    COLLABORATOR = "collaborator", _("Cộng tác viên")
    INTERVIEWER = "interviewer", _("Điều tra viên")


# Roles that reach the whole subtree of the unit they are granted on;
# every other role reaches only that unit.
SUBTREE_ROLES = frozenset({Role.SUPERVISOR, Role.INSPECTOR})

# Roles that reach no case at all: administrators manage reference data; collaborators file opinion notes
# (collaborators app) and interviewers collect the surveys they are assigned to (surveys app).
CASE_BLIND_ROLES = frozenset({Role.ADMINISTRATOR, Role.COLLABORATOR, Role.INTERVIEWER})


def role_codename(role: str) -> str:
    return f"role_{role}"


def role_from_codename(codename: str) -> str:
    return codename.removeprefix("role_")
