"""docs/workflow.md, rendered from the code: each kind's path through CaseFlow and the one role table.

Nothing here is written by hand twice. The charts are the paths of
workflow.flow_paths, walked from the flow itself. The role table is workflow.roles (STEPS, MOVE_RULES), the
legal source and target states are the state machine's transitions
(cases.lifecycle). The one thing the flow's edges cannot say is which
service opens a step beside the main line; SIDE_STEP_OPENERS names those
functions (imported, so a rename breaks the render rather than the doc).

`python manage.py write_workflow_doc` writes the file;
tests/workflow/test_workflow_doc.py fails when it and the code disagree.
"""

import inspect
import sys
import textwrap
from dataclasses import dataclass

from django.utils import translation
from viewflow.utils import DEFAULT
from viewflow.workflow import flow as nodes

from cases import services as case_services
from cases.lifecycle import CaseLifecycle
from cases.models import SUBTREE_ROLES, CaseKind, CaseStatus, Role

from . import engine
from . import flows as flows_module
from . import services as workflow_services
from .flow_paths import (
    branches_for,
    edges,
    kind_groups,
    kind_path,
    main_line_names,
    node_named,
    side_roots,
    start_nodes,
    start_of,
    walk,
)
from .flows import CaseFlow, CaseStep
from .roles import MOVE_RULES, NOT_OFFERED_ON_THE_CASE, SEAT_LABELS, STEPS, steps_completed_by

DOC_PATH = "docs/workflow.md"
# The language the doc is written in: the code's Vietnamese sources, whatever the caller's language.
DOC_LANGUAGE = "vi"

# The steps no edge from a start reaches: which service opens each, on which event.
# (opener, caller, what happens). The render fails for a side step missing here.
SIDE_STEP_OPENERS = {
    "decide_step": (
        engine.flow_open_decision, case_services.case_public_feedback,
        "the resident answers *Chưa khắc phục* on the public page (`public_feedback` event with "
        "`fixed=False`) while the case is resolved; the decision takes the place of `report_step`, "
        "so no report marks the case until the leader decides",
    ),
    "direct_step": (
        engine.flow_open_direction, workflow_services.clocks_sweep,
        "a step clock passes its deadline and the sweep escalates the case (`escalate` event): "
        "one direction task per unit escalated to, in that unit's queue, beside whatever step the "
        "case stands at; a second escalation one tier higher opens another",
    ),
}


# --- text helpers -----------------------------------------------------------------------


def _text(value) -> str:
    return str(value).strip()


def _mermaid_label(value) -> str:
    return _text(value).replace('"', "#quot;")


def _code(value: str) -> str:
    return f"`{value}`"


def _role_list(roles) -> str:
    ordered = [role for role in Role.values if role in roles]
    return ", ".join(f"{_code(role)} ({Role(role).label})" for role in ordered) or "—"


def _qualname(function) -> str:
    """Where callers import it from: the package that re-exports it (`cases.services`), else its module."""
    module = function.__module__
    package = module.rpartition(".")[0]
    if package and getattr(sys.modules.get(package), function.__name__, None) is function:
        module = package
    return f"{module}.{function.__qualname__}"


def _condition_source(function) -> str:
    """A gateway condition's test as written, with the case named `case`."""
    body = textwrap.dedent(inspect.getsource(function)).splitlines()
    returns = [line.strip()[len("return "):] for line in body if line.strip().startswith("return ")]
    expression = returns[-1] if returns else function.__name__
    return expression.replace("activation.process.artifact", "case")


# --- the charts -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    left: str
    right: str


def _shape(node) -> _Shape:
    if isinstance(node, (nodes.StartHandle, nodes.Start)):
        return _Shape("((", "))")
    if isinstance(node, nodes.End):
        return _Shape("([", "])")
    if isinstance(node, nodes.Switch):
        return _Shape("{", "}")
    if isinstance(node, CaseStep):
        return _Shape("[", "]")
    return _Shape("[[", "]]")


def _node_line(node) -> str:
    shape = _shape(node)
    if isinstance(node, CaseStep):
        label = f"{_mermaid_label(node.task_title)}<br/>{node.name}"
    else:
        label = _mermaid_label(node.task_title)
    return f'    {node.name}{shape.left}"{label}"{shape.right}'


def mermaid(path: list, kind: str) -> str:
    """A Mermaid flowchart of `path`: its nodes, the edges between them a case of `kind` can take,
    and a dotted arrow from what opens each side step."""
    names = {node.name for node in path}
    lines = ["```mermaid", "flowchart TD"]
    lines += [_node_line(node) for node in path]
    for node in path:
        allowed = branches_for(node, kind) if isinstance(node, nodes.Switch) else None
        for dst, label in edges(node):
            if dst.name not in names or (allowed is not None and dst.name not in allowed):
                continue
            arrow = f"-->|{label}|" if label else "-->"
            lines.append(f"    {node.name} {arrow} {dst.name}")
    for root in side_roots():
        if root.name in names:
            _opener, caller, _what = SIDE_STEP_OPENERS[root.name]
            lines.append(f'    opens_{root.name}>"{caller.__name__}"] -.-> {root.name}')
    side = [node.name for node in path if node.name not in main_line_names()]
    if side:
        lines.append("    classDef side stroke-dasharray: 5 5")
        lines.append(f"    class {','.join(side)} side")
    lines.append("```")
    return "\n".join(lines)


# --- the sections -----------------------------------------------------------------------


def _first_step(kind: str):
    return next(node for node in kind_path(kind) if isinstance(node, CaseStep))


def _decision_section() -> list[str]:
    lines = [
        "## One flow, its path chosen by kind",
        "",
        f"Every case runs one process of `{_qualname(CaseFlow)}`. The case's kind chooses where it starts "
        f"(`{_qualname(flows_module.start_node_for)}`, at intake): "
        + _text(inspect.getdoc(flows_module.start_node_for)),
        "",
        "| kind | code | start | first step |",
        "|---|---|---|---|",
    ]
    for kind in CaseKind.values:
        start, first = start_of(kind), _first_step(kind)
        lines.append(f"| {CaseKind(kind).label} | `{kind}` | `{start.name}` ({_text(start.task_title)}) | "
                     f"`{first.name}` ({_text(first.task_title)}) |")
    lines += ["", "Why one flow and not one per kind, in the flow module's own words (`workflow/flows.py`):", ""]
    lines += ["> " + line if line else ">" for line in textwrap.dedent(flows_module.__doc__).strip().splitlines()]
    return lines


def _paths_section() -> list[str]:
    lines = [
        "## The path of each kind",
        "",
        "Boxes are human steps (a task in one unit's queue), diamonds the flow's gateways (each edge "
        "labelled with the condition that takes it), rounded boxes the ends. Dashed boxes are the steps "
        "beside the main line; a dotted arrow names the service that opens them.",
    ]
    for kinds, path in kind_groups():
        title = ", ".join(f"{CaseKind(kind).label} (`{kind}`)" for kind in kinds)
        steps = [node.name for node in path if isinstance(node, CaseStep)]
        lines += ["", f"### {title}", "", "Steps: " + ", ".join(_code(step) for step in steps) + ".", ""]
        lines.append(mermaid(path, kinds[0]))
    return lines


def _conditions_section() -> list[str]:
    lines = ["## Gateway conditions", "", "| condition | true when |", "|---|---|"]
    seen = set()
    for node in [n for root in start_nodes() + side_roots() for n in walk(root)]:
        if not isinstance(node, nodes.Switch):
            continue
        for _dst, cond in node._branches:
            if cond is not None and cond.__name__ not in seen:
                seen.add(cond.__name__)
                lines.append(f"| `{cond.__name__}` | `{_condition_source(cond)}` |")
    return lines


def _side_steps_section() -> list[str]:
    main = main_line_names()
    lines = [
        "## Steps beside the main line",
        "",
        "No edge from a start leads to these; the engine (`workflow/engine.py`) opens them inside "
        "the transaction of the service that records the event.",
        "",
        "| step | opened by | called from | when |",
        "|---|---|---|---|",
    ]
    for root in side_roots():
        opener, caller, what = SIDE_STEP_OPENERS[root.name]
        lines.append(f"| `{root.name}` ({_text(root.task_title)}) | `{_qualname(opener)}` | "
                     f"`{_qualname(caller)}` | {what} |")
    # Side steps an edge does lead to, from another side step.
    for root in side_roots():
        for node in walk(root)[1:]:
            if not isinstance(node, CaseStep) or node.name in main:
                continue
            for gateway in walk(root):
                for dst, cond in getattr(gateway, "_branches", None) or []:
                    if dst.name == node.name and isinstance(gateway, nodes.Switch):
                        moves = ", ".join(_code(move) for move in STEPS[root.name].moves)
                        lines.append(
                            f"| `{node.name}` ({_text(node.task_title)}) | the edge `{gateway.name}` → "
                            f"`{node.name}` | `{root.name}` completed (by one of {moves}) | "
                            f"`{cond.__name__ if cond else 'default'}`: "
                            f"`{_condition_source(cond) if cond else 'otherwise'}` |"
                        )
    lines += [
        "",
        "Moves after which the case has another owner, so its owner's open steps move to the new "
        "owner's queue (`engine.OWNER_CHANGING_MOVES`): "
        + ", ".join(_code(move) for move in sorted(engine.OWNER_CHANGING_MOVES)) + ".",
    ]
    return lines


def _transitions(move: str):
    return list(getattr(CaseLifecycle, move).get_transitions())


def legal_sources(move: str) -> list[str]:
    """The states the state machine lets `move` start from, in CaseStatus's order."""
    sources = {str(transition.source) for transition in _transitions(move)}
    return [status for status in CaseStatus.values if status in sources]


def _from_to(move: str) -> tuple[str, str]:
    by_target: dict[str, list[str]] = {}
    for transition in _transitions(move):
        target = "(unchanged)" if transition.target is DEFAULT else f"`{transition.target}`"
        source = f"`{transition.source}`"
        conditions = [condition.__name__.lstrip("_") for condition in transition.conditions]
        if conditions:
            source += " if " + " and ".join(conditions)
        by_target.setdefault(target, []).append(source)
    sources = "; ".join(", ".join(group) for group in by_target.values())
    return sources, ", ".join(by_target)


def _seats(move: str) -> str:
    parts = []
    for seat in MOVE_RULES[move]:
        who = _role_list(seat.roles) if seat.roles else "whatever their roles"
        parts.append(f"**{seat.seat}** ({SEAT_LABELS[seat.seat]}): {who}")
    return "<br/>".join(parts)


def _role_table_section() -> list[str]:
    lines = [
        "## The one role table",
        "",
        "From `workflow/roles.py`. A seat is the unit a role must reach, seen from the case: "
        + "; ".join(f"**{seat}**: {label}" for seat, label in SEAT_LABELS.items())
        + ". " + _role_list(SUBTREE_ROLES) + " reach the subtree of the unit the role is held on; "
        "the other roles only that unit.",
        "",
        "### Steps: whose queue, who takes it, what completes it",
        "",
        "The first move listed is the one the step exists for.",
        "",
        "| step | title | queue | taken by | completed by |",
        "|---|---|---|---|---|",
    ]
    for name, step in STEPS.items():
        node = node_named(name)
        moves = ", ".join(_code(move) for move in step.moves)
        lines.append(f"| `{name}` | {_text(node.task_title)} | {step.seat} ({SEAT_LABELS[step.seat]}) | "
                     f"{_role_list(step.roles)} | {moves} |")
    lines += [
        "",
        "### Moves: legal from which states (the state machine), made by whom (the seats)",
        "",
        "| move | label | from | to | who may make it | completes |",
        "|---|---|---|---|---|---|",
    ]
    for move in MOVE_RULES:
        sources, targets = _from_to(move)
        label = _text(_transitions(move)[0].label)
        completes = ", ".join(_code(step) for step in steps_completed_by(move)) or "—"
        if move in NOT_OFFERED_ON_THE_CASE:
            label += " (made by submitting a report, not offered on the case page)"
        lines.append(f"| `{move}` | {label} | {sources} | {targets} | {_seats(move)} | {completes} |")
    lines += [
        "",
        "A move completes the open steps listed (`workflow.engine.flow_move`); `extend` completes a "
        "direction only when the tier above makes it, not when the owner's leader extends their own deadline.",
    ]
    lines += ["", "### By role", "", "| role | takes the steps | fills a seat of the moves |", "|---|---|---|"]
    for role in Role.values:
        steps = [name for name, step in STEPS.items() if role in step.roles]
        moves = [move for move, seats in MOVE_RULES.items() if any(role in seat.roles for seat in seats)]
        lines.append(f"| `{role}` ({Role(role).label}) | {', '.join(_code(s) for s in steps) or '—'} | "
                     f"{', '.join(_code(m) for m in moves) or '—'} |")
    return lines


def workflow_markdown() -> str:
    """docs/workflow.md, from the code as it stands."""
    with translation.override(DOC_LANGUAGE):
        lines = [
            "# Workflow: the path of each kind of case, and the one role table",
            "",
            "Generated by `python manage.py write_workflow_doc` from the code (`workflow/flows.py`, "
            "`workflow/roles.py`, `cases/lifecycle.py`, `cases/models.py`); "
            "`tests/workflow/test_workflow_doc.py` fails when this file and the code disagree. "
            "Do not edit it by hand.",
            "",
        ]
        for section in (_decision_section, _paths_section, _conditions_section,
                        _side_steps_section, _role_table_section):
            lines += section()
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
