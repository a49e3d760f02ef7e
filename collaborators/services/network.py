"""The collaborator network of a unit: collaborators (with their login and role) and the network plan."""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied
from cases.models import Role, Topic, Unit
from cases.services.roles import unit_role_grant, unit_role_revoke

from ..models import Collaborator, CollaboratorStatus, NetworkTarget, SocialGroup
from ..permissions import may_manage_network

REFUSED = _("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới quản lý mạng lưới cộng tác viên của đơn vị.")


def network_check_manager(user, unit: Unit) -> None:
    if not may_manage_network(user, unit):
        raise PermissionDenied(REFUSED)


def _check_fields(*, unit, full_name, localities, social_group, term_start, term_end, status) -> dict:
    errors = {}
    if not (full_name or "").strip():
        errors["full_name"] = _("Cần nhập họ và tên.")
    outside = [u.name for u in localities if not u.path.startswith(unit.path)]
    if outside:
        errors["localities"] = _("Địa bàn phải thuộc đơn vị: %(names)s.") % {"names": ", ".join(outside)}
    if social_group and social_group not in SocialGroup.values:
        errors["social_group"] = _("Giới, tầng lớp không hợp lệ.")
    if status not in CollaboratorStatus.values:
        errors["status"] = _("Trạng thái không hợp lệ.")
    if term_start is None:
        errors["term_start"] = _("Cần ngày bắt đầu nhiệm kỳ.")
    elif term_end is not None and term_end < term_start:
        errors["term_end"] = _("Ngày hết nhiệm kỳ phải sau ngày bắt đầu.")
    return errors


def _account(*, username: str, password: str, full_name: str, errors: dict):
    """The login named `username`: an existing one (not yet another collaborator's), or a new one."""
    username = (username or "").strip()
    if not username:
        return None
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        if Collaborator.objects.filter(user=user).exists():
            errors["username"] = _("Tài khoản này đã gắn với một cộng tác viên khác.")
        return user
    if not password:
        errors["password"] = _("Tài khoản mới cần mật khẩu ban đầu.")
        return None
    try:
        validate_password(password)
    except ValidationError as error:
        errors["password"] = error.messages
        return None
    first, _space, last = full_name.strip().rpartition(" ")
    return User(username=username, first_name=first, last_name=last)


@transaction.atomic
def collaborator_create(*, by, unit: Unit, full_name: str, term_start: date, term_end: date | None = None,
                        localities=(), sectors=(), social_group: str = "", organisation: str = "",
                        decision_number: str = "", username: str = "", password: str = "",
                        status: str = CollaboratorStatus.ACTIVE) -> Collaborator:
    """A new collaborator of `unit`; with a login, the role collaborator on the unit is granted to it."""
    network_check_manager(by, unit)
    localities, sectors = list(localities), list(sectors)
    errors = _check_fields(unit=unit, full_name=full_name, localities=localities, social_group=social_group,
                           term_start=term_start, term_end=term_end, status=status)
    user = _account(username=username, password=password, full_name=full_name, errors=errors)
    if errors:
        raise ValidationError(errors)
    if user is not None and user.pk is None:
        user.set_password(password)
        user.save()
    collaborator = Collaborator.objects.create(
        user=user, full_name=full_name.strip(), unit=unit, social_group=social_group,
        organisation=organisation.strip(), decision_number=decision_number.strip(), term_start=term_start,
        term_end=term_end, status=status,
    )
    collaborator.localities.set(localities)
    collaborator.sectors.set(sectors)
    if user is not None and status == CollaboratorStatus.ACTIVE:
        unit_role_grant(user=user, unit=unit, role=Role.COLLABORATOR, by=by, reason=_("Công nhận cộng tác viên"))
    return collaborator


@transaction.atomic
def collaborator_update(*, by, collaborator: Collaborator, full_name: str, term_start: date,
                        term_end: date | None = None, localities=(), sectors=(), social_group: str = "",
                        organisation: str = "", decision_number: str = "",
                        status: str = CollaboratorStatus.ACTIVE) -> Collaborator:
    """Change a collaborator; one who stops (paused, ended) loses the role, one who resumes gets it back."""
    unit = collaborator.unit
    network_check_manager(by, unit)
    localities, sectors = list(localities), list(sectors)
    errors = _check_fields(unit=unit, full_name=full_name, localities=localities, social_group=social_group,
                           term_start=term_start, term_end=term_end, status=status)
    if errors:
        raise ValidationError(errors)
    collaborator = Collaborator.objects.select_for_update().get(pk=collaborator.pk)
    collaborator.full_name = full_name.strip()
    collaborator.social_group = social_group
    collaborator.organisation = organisation.strip()
    collaborator.decision_number = decision_number.strip()
    collaborator.term_start, collaborator.term_end, collaborator.status = term_start, term_end, status
    collaborator.save()
    collaborator.localities.set(localities)
    collaborator.sectors.set(sectors)
    if collaborator.user_id:
        if status == CollaboratorStatus.ACTIVE:
            unit_role_grant(user=collaborator.user, unit=unit, role=Role.COLLABORATOR, by=by,
                            reason=_("Cộng tác viên hoạt động trở lại"))
        else:
            unit_role_revoke(user=collaborator.user, unit=unit, role=Role.COLLABORATOR, by=by,
                             reason=_("Cộng tác viên tạm ngừng hoặc thôi"))
    return collaborator


@transaction.atomic
def network_target_set(*, by, unit: Unit, wanted: int, locality: Unit | None = None, sector: Topic | None = None,
                       social_group: str = "") -> NetworkTarget | None:
    """Set how many active collaborators the unit's plan wants for a locality, sector or group (0 removes it)."""
    network_check_manager(by, unit)
    errors = {}
    if locality is None and sector is None and not social_group:
        errors["locality"] = _("Chọn địa bàn, lĩnh vực hoặc giới, tầng lớp cho chỉ tiêu.")
    if locality is not None and not locality.path.startswith(unit.path):
        errors["locality"] = _("Địa bàn phải thuộc đơn vị.")
    if social_group and social_group not in SocialGroup.values:
        errors["social_group"] = _("Giới, tầng lớp không hợp lệ.")
    if wanted is None or wanted < 0 or wanted > 1000:
        errors["wanted"] = _("Số cộng tác viên cần có phải từ 0 đến 1000.")
    if errors:
        raise ValidationError(errors)
    key = {"unit": unit, "locality": locality, "sector": sector, "social_group": social_group or ""}
    if wanted == 0:
        NetworkTarget.objects.filter(**key).delete()
        return None
    target, _created = NetworkTarget.objects.update_or_create(**key, defaults={"wanted": wanted})
    return target
