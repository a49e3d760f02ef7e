"""Every cell of the permission matrix (cases/permission_matrix.py), through the services.

For each role and each place the person's unit can stand relative to the
case's owning commune, every action is tried on a case in a state where the
action is legal, and the outcome must be exactly what the matrix says.
The HTTP half is in tests/api/test_permission_matrix_http.py.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from cases.exceptions import CaseNotFound, PermissionDenied
from cases.exports import case_export_csv
from cases.models import Channel, Role, Tier, UnitKind
from cases.permission_matrix import ACTIONS, RELATIONS, ROLES, expected, matrix_markdown
from cases.selectors import case_get_for_user, case_list_for_user
from cases.services import (
    ReporterInput,
    case_assign,
    case_intake,
    case_merge,
    case_orient,
    case_reassign,
    case_reject,
    case_reopen,
    case_resolve,
    case_verify,
    reporter_reveal,
    topic_upsert,
    unit_role_grant,
    unit_upsert,
)

CELLS = [(role, relation) for role in ROLES for relation in RELATIONS]


class MatrixWorld:
    """Two provinces; the case is owned by commune A of province P1."""

    def __init__(self):
        User = get_user_model()
        self.p1, _ = unit_upsert(code="M-P1", name="Tỉnh 1", tier=Tier.PROVINCE, kind=UnitKind.COMMITTEE, parent=None)
        self.owner, _ = unit_upsert(code="M-A", name="Xã A", tier=Tier.COMMUNE, kind=UnitKind.COMMITTEE, parent=self.p1)
        self.child, _ = unit_upsert(code="M-A-1", name="Thôn A1", tier=Tier.GRASSROOTS, kind=UnitKind.HAMLET, parent=self.owner)
        self.grandchild, _ = unit_upsert(code="M-A-1-1", name="Tổ A1.1", tier=Tier.GRASSROOTS, kind=UnitKind.PARTY_CELL, parent=self.child)
        self.sibling, _ = unit_upsert(code="M-B", name="Xã B", tier=Tier.COMMUNE, kind=UnitKind.COMMITTEE, parent=self.p1)
        self.p2, _ = unit_upsert(code="M-P2", name="Tỉnh 2", tier=Tier.PROVINCE, kind=UnitKind.COMMITTEE, parent=None)
        self.unit_at = {
            "same": self.owner, "child": self.child, "grandchild": self.grandchild,
            "parent": self.p1, "sibling": self.sibling, "other_province": self.p2,
        }
        self.topic = topic_upsert(code="M-T", name="Môi trường")
        self.channel, _ = Channel.objects.get_or_create(code="hotline", defaults={"name": "Đường dây nóng"})
        # The people who bring a case to each state.
        self.clerk = self._person("m-clerk", Role.INTAKE_CLERK, self.owner)
        self.leader = self._person("m-leader", Role.LEADER, self.owner)
        self.handler = self._person("m-handler", Role.HANDLER, self.owner)
        # Work is handed down only to a unit where someone can take its next step.
        self.child_handler = self._person("m-child-handler", Role.HANDLER, self.child)
        self.user_model = User

    def _person(self, username, role, unit):
        user = get_user_model().objects.create_user(username)
        unit_role_grant(user=user, unit=unit, role=role)
        return user

    def actor(self, role, relation):
        user = self._person(f"actor-{role}-{relation}", role, self.unit_at[relation])
        return get_user_model().objects.get(pk=user.pk)  # fresh, as a new request would load

    def case_in(self, state, title="Vụ việc kiểm tra phân quyền"):
        case = case_intake(by=self.clerk, title=title, channel=self.channel, topic=self.topic, locality=self.child,
                           reporter=ReporterInput(full_name="Người dân", phone="0900000001"))
        if state == "received":
            return case
        case_verify(case=case, by=self.clerk)
        if state == "verified":
            return case
        case_assign(case=case, by=self.leader, unit=self.owner)
        if state == "assigned":
            return case
        case_orient(case=case, by=self.handler, response="Trả lời")
        if state == "oriented":
            return case
        case_resolve(case=case, by=self.handler, outcome="Xong")
        return case


@pytest.fixture
def matrix(db):
    return MatrixWorld()


def attempt(action, actor, matrix):
    """Try `action` as `actor` on a fresh case where it is legal; True when it went through."""
    moves = {
        "verify": ("received", lambda case: case_verify(case=case, by=actor)),
        "reject": ("received", lambda case: case_reject(case=case, by=actor, reason="Không thuộc phạm vi")),
        "merge": ("received", lambda case: case_merge(case=case, into=matrix.case_in("received", "Vụ giữ lại"), by=actor)),
        "assign": ("verified", lambda case: case_assign(case=case, by=actor, unit=matrix.owner)),
        "reassign": ("assigned", lambda case: case_reassign(case=case, by=actor, unit=matrix.child, reason="Thôn xử lý")),
        "orient": ("assigned", lambda case: case_orient(case=case, by=actor, response="Đã trả lời")),
        "resolve": ("oriented", lambda case: case_resolve(case=case, by=actor, outcome="Đã xong")),
        "reopen": ("resolved", lambda case: case_reopen(case=case, by=actor, reason="Chưa xong")),
    }
    case = matrix.case_in(moves[action][0])
    if action in ("list", "detail", "export", "reporter_contact"):
        raise AssertionError("reads are checked separately")
    try:
        moves[action][1](case)
    except PermissionDenied:
        return False
    return True


def observe(action, actor, matrix, case):
    if action == "list":
        return case.code in {c.code for c in case_list_for_user(user=actor)}
    if action == "detail":
        try:
            return case_get_for_user(user=actor, code=case.code) == case
        except CaseNotFound:
            return False
    if action == "export":
        return case.code in case_export_csv(user=actor)
    if action == "reporter_contact":
        try:
            return reporter_reveal(case=case, by=actor, reason="Kiểm tra ma trận")[0]["phone"] == "0900000001"
        except PermissionDenied:
            return False
    return attempt(action, actor, matrix)


@pytest.mark.parametrize(("role", "relation"), CELLS, ids=[f"{r}-{rel}" for r, rel in CELLS])
def test_matrix_row_through_the_services(role, relation, matrix):
    actor = matrix.actor(role, relation)
    case = matrix.case_in("received")
    observed = {action: observe(action, actor, matrix, case) for action in ACTIONS}
    wanted = {action: expected(role, relation, action) for action in ACTIONS}
    assert observed == wanted


def test_the_published_matrix_is_up_to_date():
    """docs/permissions.md is rendered from the same table the tests check."""
    published = (Path(settings.BASE_DIR) / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert published == matrix_markdown(), "run: python manage.py write_permissions_doc"
