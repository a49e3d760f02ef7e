"""The role-by-tier permission matrix, written down as a specification.

This is the statement of who may do what (DESIGN.md sections 3 and 4), kept
apart from the code that enforces it (cases.permissions, cases.lifecycle,
cases.selectors). Who may make each move is not written here again: it is
read from the one role table (workflow.roles.MOVE_RULES). The tests assert
every cell against the services and the HTTP API, and
`manage.py write_permissions_doc` renders docs/permissions.md from this same
table.
"""

from workflow.roles import MOVE_RULES, OWNER

from .models import CASE_BLIND_ROLES, SUBTREE_ROLES, Role

# Where the person's unit stands relative to the unit that owns the case
# (a commune in the tests: province → commune → grassroots → sub-unit).
RELATIONS = {
    "same": "cùng đơn vị (same unit)",
    "child": "đơn vị cấp dưới trực tiếp (child)",
    "grandchild": "đơn vị cấp dưới hai bậc (grandchild)",
    "parent": "đơn vị cấp trên (parent)",
    "sibling": "xã khác cùng tỉnh (sibling commune)",
    "other_province": "tỉnh khác (another province)",
}

ACTIONS = {
    "list": "thấy trong danh sách, tìm kiếm (list, search)",
    "detail": "mở vụ việc (detail)",
    "export": "xuất danh sách (export)",
    "reporter_contact": "xem danh tính, liên lạc người phản ánh (reporter contact)",
    "verify": "xác minh (verify)",
    "reject": "không thụ lý (reject)",
    "merge": "gộp (merge)",
    "assign": "giao xử lý (assign)",
    "reassign": "giao lại (reassign)",
    "orient": "định hướng, trả lời (orient)",
    "resolve": "giải quyết (resolve)",
    "reopen": "mở lại (reopen)",
}
# The moves of the role table without a row here, and where they are checked instead. The matrix places
# one person relative to the owning unit of a case its own unit assigned to itself and nobody escalated,
# and its two tests (tests/cases/test_permission_matrix.py, tests/api/test_permission_matrix_http.py)
# carry a request of their own for every action: a move joins ACTIONS together with its request there.
# transfer, reporter_notified and keep_closed would fit that model (owner seat) and are the next to join;
# the escalation moves cannot: their seat is the unit the case is escalated to, which no relation above
# describes (a direction task exists only after a clock escalated the case).
MOVES_ELSEWHERE = {
    "transfer": "owner seat; every role at every step in tests/workflow/test_role_table.py",
    "reporter_notified": "owner seat; every role at every step in tests/workflow/test_role_table.py",
    "keep_closed": "owner seat, after a resident's “not fixed”; tests/workflow/test_role_table.py",
    "pull_up": "directing seat (after an escalation); tests/workflow/test_role_table.py",
    "instruct": "directing seat (after an escalation); tests/workflow/test_role_table.py",
    "acknowledge": "owner seat, after an instruction; tests/workflow/test_role_table.py",
    "extend": "owner and directing seats; tests/workflow/test_extension.py, tests/workflow/test_role_table.py",
    "report": "made by submitting a report, never on the case; tests/reports",
}

ROLES = [role.value for role in Role]

# Supervisor and inspector reach the subtree below their unit; the others
# only their own unit; the case-blind roles (administrator, collaborator, interviewer) reach no case.
_REACH = {
    Role.SUPERVISOR: {"same", "parent"},
    Role.INSPECTOR: {"same", "parent"},
    **{role: set() for role in CASE_BLIND_ROLES},
}
_DEFAULT_REACH = {"same"}

# Where the person's unit stands above the owner: a role reaching the subtree acts from there too.
_ABOVE_OWNER = {"parent"}


def _owner_seat_roles(move: str) -> frozenset:
    """The roles that may make `move` from the owning unit's seat in the one role table.

    The other seats do not arise in the matrix: its cases were assigned by their own unit
    (the assigner is the owner), were never escalated (no directing unit), and were given
    to nobody in particular (no assignee).
    """
    return frozenset().union(*(seat.roles for seat in MOVE_RULES[move] if seat.seat == OWNER))


def _fills_owner_seat(role: str, relation: str) -> bool:
    """A role on the owner itself, or a subtree role (supervisor, inspector) held above it."""
    return relation == "same" or (role in SUBTREE_ROLES and relation in _ABOVE_OWNER)


def reaches(role: str, relation: str) -> bool:
    return relation in _REACH.get(role, _DEFAULT_REACH)


def expected(role: str, relation: str, action: str) -> bool:
    """Whether a person with `role`, placed at `relation` to the owner, may do `action`."""
    if action in ("list", "detail", "export"):
        return reaches(role, relation)
    if action == "reporter_contact":
        # The intake clerk who received it; other roles only if an administrator names them.
        return role == Role.INTAKE_CLERK and relation == "same"
    return role in _owner_seat_roles(action) and _fills_owner_seat(role, relation)


def matrix_markdown() -> str:
    """docs/permissions.md, rendered from this table."""
    lines = [
        "# Permission matrix (ma trận phân quyền)",
        "",
        "Generated by `python manage.py write_permissions_doc` from `cases/permission_matrix.py`;",
        "`tests/cases/test_permission_matrix.py` asserts every cell through the services and",
        "through the HTTP API. ✔ allowed, · refused (a case out of reach answers 404, a move",
        "the role does not allow answers 403).",
        "",
        "The case is owned by a commune. Relations say where the person's unit stands:",
        "",
    ]
    lines += [f"- **{key}**: {label}" for key, label in RELATIONS.items()]
    lines += ["", "Actions:", ""]
    lines += [f"- **{key}**: {label}" for key, label in ACTIONS.items()]
    for role in ROLES:
        lines += ["", f"## {Role(role).label} (`{role}`)", ""]
        lines.append("| action | " + " | ".join(RELATIONS) + " |")
        lines.append("|---|" + "---|" * len(RELATIONS))
        for action in ACTIONS:
            cells = ["✔" if expected(role, relation, action) else "·" for relation in RELATIONS]
            lines.append(f"| {action} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Moves not in this matrix",
        "",
        "Who may make every move is the one role table (`workflow/roles.py`, rendered with each step",
        "in docs/workflow.md); the move rows above are read from it. These moves have no row here:",
        "",
    ]
    lines += [f"- **{move}**: {where}" for move, where in MOVES_ELSEWHERE.items()]
    return "\n".join(lines) + "\n"
