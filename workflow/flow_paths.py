"""CaseFlow as a graph: the nodes a case of each kind can pass through, read from the flow itself.

The walk follows the flow's nodes and edges (workflow.flows) from the start the flow gives each kind
(`start_node_for`); at each gateway the branches a kind can take are found by asking the gateway's own
conditions about probe cases of that kind in every status. docs/workflow.md is drawn from it
(workflow.docs).
"""

import itertools
from collections import deque
from types import SimpleNamespace

from viewflow.workflow import flow as nodes

from cases.models import Case, CaseKind, CaseStatus, Topic

from . import flows as flows_module
from .flows import CaseFlow


def _flow():
    return CaseFlow.instance


def node_named(name: str):
    return getattr(CaseFlow, name)


def edges(node):
    """(destination, label) of each outgoing edge; a gateway's edges are labelled with their condition."""
    branches = getattr(node, "_branches", None)
    if isinstance(node, nodes.Switch) and branches is not None:
        return [(dst, cond.__name__ if cond is not None else "default") for dst, cond in branches]
    return [(edge.dst, "") for edge in node._outgoing()]


def _probe_activations(kind: str):
    """Stand-ins for the activation a gateway reads: a case of `kind` in every status and condition."""
    for status, needs_response, instructed, reopen in itertools.product(
        CaseStatus.values, (True, False), (True, False), (True, False)
    ):
        case = Case(kind=kind, status=status, instruction_pending=instructed, reopen_requested=reopen)
        case.topic = Topic(needs_public_response=needs_response)
        yield SimpleNamespace(process=SimpleNamespace(artifact=case))


def branches_for(node, kind: str) -> set[str]:
    """The names of the branches of a gateway some case of `kind` can take."""
    taken = set()
    for activation in _probe_activations(kind):
        for dst, cond in node._branches:
            if cond is None or cond(activation):
                taken.add(dst.name)
                break
    return taken


def walk(root, kind: str | None = None) -> list:
    """The nodes reachable from `root` (breadth first, in the flow's own edge order).

    With a kind, a gateway's branches that no case of that kind can take are not followed.
    """
    seen, order, queue = {root.name}, [root], deque([root])
    while queue:
        node = queue.popleft()
        allowed = branches_for(node, kind) if kind is not None and isinstance(node, nodes.Switch) else None
        for dst, _label in edges(node):
            if allowed is not None and dst.name not in allowed:
                continue
            if dst.name not in seen:
                seen.add(dst.name)
                order.append(dst)
                queue.append(dst)
    return order


def start_nodes() -> list:
    return [node for node in _flow().nodes() if isinstance(node, (nodes.StartHandle, nodes.Start))]


def start_of(kind: str):
    """The start node the engine opens a case of `kind` at (the flow's own choice, made at intake)."""
    return flows_module.start_node_for(Case(kind=kind))


def main_line_names() -> set[str]:
    return {node.name for start in start_nodes() for node in walk(start)}


def side_roots() -> list:
    """Steps beside the main lines that no edge leads to: the engine opens them."""
    main = main_line_names()
    targets = {dst.name for node in _flow().nodes() for dst, _label in edges(node)}
    return [node for node in _flow().nodes() if node.name not in main and node.name not in targets]


def kind_path(kind: str) -> list:
    """The nodes a case of `kind` can pass through: its main line, then the side steps that concern it.

    A side branch concerns a kind when it rejoins that kind's main line, or rejoins no main line at all.
    """
    main = walk(start_of(kind), kind)
    main_names = {node.name for node in main}
    every_main = main_line_names()
    path = list(main)
    for root in side_roots():
        branch = walk(root, kind)
        rejoins = {dst.name for node in branch for dst, _label in edges(node)} & every_main
        if not rejoins or rejoins & main_names:
            path += [node for node in branch if node.name not in {n.name for n in path}]
    return path


def kind_groups() -> list[tuple[list[str], list]]:
    """Kinds that follow the same path, grouped, in CaseKind's order: [(kinds, path)]."""
    groups: list[tuple[list[str], list]] = []
    for kind in CaseKind.values:
        path = kind_path(kind)
        names = [node.name for node in path]
        for kinds, other in groups:
            if [node.name for node in other] == names:
                kinds.append(kind)
                break
        else:
            groups.append(([kind], path))
    return groups
