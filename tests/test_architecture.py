"""The shape of the code (docs/architecture.md), read from the source with `ast`, so it stays true.

Arrows run one way: interfaces (screens, API, admin, commands, tasks, signal receivers) → services and
selectors → models. No two modules import each other, even through a chain or an import inside a
function. No module outside migrations, tests and the benchmarks grows past 450 lines.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("api", "cases", "collaborators", "config", "ledger", "notifications", "reports", "security", "surveys", "web",
        "workflow")
MAX_LINES = 450

# What each kind of module is, by its dotted name.
INTERFACE = [
    r"^web(\.|$)",  # the screens: views, forms, their helpers (web.ui), template tags
    r"^api\.(views|serializers|urls|adapters|pagination|throttling|exceptions)",
    r"\.(views|views_\w+|forms|forms_\w+|urls|urls_\w+|admin|api|api_\w+|apps|tasks|middleware|context_processors|receivers)$",
    r"\.templatetags(\.|$)",
    r"\.management(\.|$)",
    r"^config(\.(urls|wsgi|celery))?$",  # the project's wiring
]
MODELS = [r"\.models(\.\w+)?$", r"^cases\.(fields|keys)$"]


def layer_of(module: str) -> str:
    if any(re.search(pattern, module) for pattern in INTERFACE):
        return "interface"
    if any(re.search(pattern, module) for pattern in MODELS):
        return "model"
    return "domain"


def project_modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = project_modules()


def _imported(module: str, node, is_package: bool) -> list[str]:
    """The project modules an import statement names (the nearest enclosing module of what it names)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module
        names = [f"{prefix}.{alias.name}" for alias in node.names]
    found = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.append(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Every module's imports of project modules, those inside functions included."""
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {
            target
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for target in _imported(module, node, path.name == "__init__.py")
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that reach each other (Tarjan's strongly connected components)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_classification_sees_the_project():
    layers = {layer_of(module) for module in MODULES}
    assert layers == {"interface", "domain", "model"}
    assert layer_of("cases.services.transitions") == "domain"
    assert layer_of("web.views.case") == layer_of("reports.views") == layer_of("api.views") == "interface"
    assert layer_of("workflow.models") == "model"


def test_no_module_imports_one_that_imports_it_back():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle_through_a_chain():
    """So that the test above can fail."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_services_and_selectors_never_import_an_interface():
    graph = import_graph()
    wrong = sorted(f"{module} → {target}" for module, targets in graph.items() if layer_of(module) == "domain"
                   for target in targets if layer_of(target) == "interface")
    assert wrong == []


def reached_from(graph: dict[str, set[str]], module: str) -> set[str]:
    """Every module `module` imports, directly or through others."""
    seen, todo = set(), [module]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


# The writes and permission-scoped reads, and the engine that moves the flow.
SERVICES = re.compile(r"\.(services|selectors)(\.|$)|^workflow\.engine$")


def test_models_never_reach_a_service_a_selector_or_an_interface():
    """A model may import other models and what they need (labels, fields, text helpers), nothing above."""
    graph = import_graph()
    wrong = sorted(f"{module} → {target}" for module in graph if layer_of(module) == "model"
                   for target in reached_from(graph, module)
                   if layer_of(target) == "interface" or SERVICES.search(target))
    assert wrong == []


def test_no_module_is_longer_than_450_lines():
    long = {module: lines for module, path in MODULES.items()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
