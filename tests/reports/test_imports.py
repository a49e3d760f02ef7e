"""The reports app's imports run one way: its screens over its services and selectors, never back.

Read from the source with `ast`, function-level imports included (a lazy
import is still an arrow): no two modules of reports import each other, even
through others; only the screen modules (views, forms, template tags) import
the web app, and only its shared module web.ui; nothing under the screens
imports a screen.
"""

import ast
from pathlib import Path

from django.conf import settings

REPORTS = Path(settings.BASE_DIR) / "reports"
SCREENS = {"reports.views", "reports.views_inspection", "reports.forms", "reports.templatetags.reports_tags",
           "reports.urls"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPORTS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            # `from . import tasks` names a module; `from .services import x` names a module's member.
            found.update(f"{module}.{alias.name}" for alias in node.names)
            found.add(module)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in REPORTS.rglob("*.py") if "migrations" not in path.parts}
    return {name: _imports(path, name) for name, path in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle among the modules of `graph`, or None."""
    inside = {name: {m for m in targets if m in graph and m != name} for name, targets in graph.items()}
    state = {}

    def visit(name, path):
        state[name] = "open"
        for target in sorted(inside[name]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target, path + [target])):
                return found
        state[name] = "done"
        return None

    for name in sorted(inside):
        if name not in state and (found := visit(name, [name])):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_between_the_modules_of_reports():
    graph = _graph()
    assert {"reports.services", "reports.exports", "reports.tasks", "reports.selectors"} <= set(graph)
    assert _cycle(graph) is None


def test_services_exports_and_tasks_point_one_way():
    graph = _graph()
    assert "reports.exports" in graph["reports.services"]  # the service writes the file through exports
    assert "reports.services" in graph["reports.tasks"]  # the task is a thin interface over the service
    assert not {"reports.services", "reports.tasks"} & graph["reports.exports"]
    assert not {"reports.tasks", "reports.services"} & graph["reports.selectors"]
    assert "reports.tasks" not in graph["reports.services"]


# What of `web` each kind of reports module may use: the screens its shared helpers, the admin its admin base.
WEB_SHARED = {"screens": "web.ui", "admin": "web.admin_site"}


def test_only_the_screens_and_the_admin_import_web_and_only_its_shared_modules():
    for name, targets in _graph().items():
        web = {target for target in targets if target == "web" or target.startswith("web.")}
        kind = "screens" if name in SCREENS else "admin" if name == "reports.admin" else None
        allowed = {target for target in web if kind and (target == WEB_SHARED[kind] or
                                                         target.startswith(WEB_SHARED[kind] + "."))}
        assert web == allowed, (name, web - allowed)


def test_nothing_below_the_screens_imports_a_screen():
    for name, targets in _graph().items():
        if name not in SCREENS and name != "reports.urls_api":
            assert not (targets & SCREENS), (name, targets & SCREENS)
