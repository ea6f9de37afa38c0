"""The layering rules of STYLE.md that import-linter cannot express, read from the source.

import-linter (``make lint``, contracts in pyproject.toml) checks which module
may import which. These tests cover what it cannot see:

* edx-platform is imported only by ``cert_plugin/host/openedx.py``, and only
  lazily, inside functions (so the plugin starts anywhere);
* the pure modules import neither ``django.db`` nor, outside ``TYPE_CHECKING``,
  ``cert_plugin.models``;
* nothing but the rooms behind the api (``cert_plugin/domain/``) writes the
  plugin's models, and each room names in its docstring the models it writes;
* no module imports another module's private (underscore) names, so a room's
  helpers stay its own (shared ones live in ``domain/shared.py``, public);
* no module (migrations aside) is over ``MAX_LINES`` lines: a concern that
  outgrows that gets a module of its own (docs/architecture.md);
* no import cycle among the plugin's modules at import time, and the domain
  never imports the task layer, not even lazily (it schedules work through the
  port ``cert_plugin.scheduling``).

The write check is a syntactic heuristic: a call of a write method on a chain
that starts at a model class imported from ``cert_plugin.models``
(``Certificate.objects.filter(...).update(...)``), and any ``.save()`` or
``.delete()`` in a module that imports ``cert_plugin.models``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import cert_plugin

PACKAGE = Path(cert_plugin.__file__).parent
EDX_PLATFORM = {"lms", "cms", "common", "openedx", "xmodule"}
HOST_ADAPTER = "host/openedx.py"
PURE_MODULES = ["requirements.py", "codes.py", "data.py", "host/base.py",
                *(str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.glob("rendering/*.py"))),
                *(str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.glob("credentials/*.py")))]
DOMAIN = ["api.py", *(str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.glob("domain/*.py")))]
MAY_WRITE_MODELS = {"models.py", *DOMAIN}
WRITES = {"create", "save", "update", "delete", "update_or_create", "get_or_create", "bulk_create",
          "bulk_update"}
INSTANCE_WRITES = {"save", "delete"}


def _modules() -> list[str]:
    return sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py"))


def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / module).read_text(encoding="utf-8"), filename=module)


def _imports(node: ast.AST) -> Iterator[tuple[str, ast.Import | ast.ImportFrom]]:
    """Every absolute module name an import statement under ``node`` names."""
    for child in ast.walk(node):
        if isinstance(child, ast.Import):
            for alias in child.names:
                yield alias.name, child
        elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
            yield child.module, child
            for alias in child.names:  # `from cert_plugin import models`
                yield f"{child.module}.{alias.name}", child


def _top_level_statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """Statements that run on import: the module body, into if/try/with blocks but not into
    functions (class bodies run on import too)."""
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        statement = stack.pop()
        yield statement
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            for child in getattr(statement, field, []):
                if isinstance(child, ast.ExceptHandler):
                    stack.extend(child.body)
                elif isinstance(child, ast.stmt):
                    stack.append(child)


def _in_type_checking(tree: ast.Module) -> set[ast.AST]:
    """Import statements inside ``if TYPE_CHECKING:`` blocks."""
    found: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                found.update(n for n in ast.walk(statement) if isinstance(n, ast.Import | ast.ImportFrom))
    return found


def _is_edx_platform(name: str) -> bool:
    return name.split(".", 1)[0] in EDX_PLATFORM


# --------------------------------------------------------------------------- edx-platform


@pytest.mark.parametrize("module", [m for m in _modules() if m != HOST_ADAPTER])
def test_only_the_host_adapter_imports_edx_platform(module):
    found = sorted({name for name, _ in _imports(_tree(module)) if _is_edx_platform(name)})
    assert found == [], (
        f"cert_plugin/{module} imports edx-platform ({', '.join(found)}); "
        "only cert_plugin/host/openedx.py may, inside its methods."
    )


def test_the_host_adapter_imports_edx_platform_only_inside_functions():
    tree = _tree(HOST_ADAPTER)
    lazy = [name for name, _ in _imports(tree) if _is_edx_platform(name)]
    assert lazy, "expected host/openedx.py to import edx-platform (inside its methods)"
    eager = sorted({
        name
        for statement in _top_level_statements(tree)
        if isinstance(statement, ast.Import | ast.ImportFrom)
        for name, _ in _imports(statement)
        if _is_edx_platform(name)
    })
    assert eager == [], f"host/openedx.py imports {', '.join(eager)} at module level; import it lazily."


# --------------------------------------------------------------------------- pure modules


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_import_no_orm_and_no_models(module):
    tree = _tree(module)
    annotations_only = _in_type_checking(tree)
    orm = sorted({name for name, _ in _imports(tree) if name == "django.db" or name.startswith("django.db.")})
    models = sorted({
        name for name, node in _imports(tree)
        if name.startswith("cert_plugin.models") and node not in annotations_only
    })
    assert orm == [], f"cert_plugin/{module} is pure but imports {', '.join(orm)}"
    assert models == [], f"cert_plugin/{module} is pure but imports the models at run time"


# --------------------------------------------------------------------------- model writes


def _model_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(names bound to model classes, names bound to the cert_plugin.models module)."""
    classes: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                if node.module == "cert_plugin.models":
                    classes.add(alias.asname or alias.name)
                elif node.module == "cert_plugin" and alias.name == "models":
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "cert_plugin.models" and alias.asname:
                    modules.add(alias.asname)
    return classes, modules


def _chain_root(node: ast.expr) -> tuple[str | None, list[str]]:
    """The name a call chain starts from and the attributes along it, first to last."""
    attributes: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            attributes.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    return (node.id if isinstance(node, ast.Name) else None), attributes[::-1]


def model_writes(source: str) -> list[str]:
    """Each call in ``source`` that looks like a write to a cert_plugin model, as "line: code"."""
    tree = ast.parse(source)
    classes, modules = _model_names(tree)
    imports_models = bool(classes or modules) or any(
        name == "cert_plugin.models" for name, _ in _imports(tree)
    )
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in WRITES:
            continue
        root, attributes = _chain_root(node.func.value)
        on_model = root in classes or (root in modules and bool(attributes))
        if on_model or (method in INSTANCE_WRITES and imports_models):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_write_heuristic_catches_writes_and_ignores_reads():
    source = """
from cert_plugin.models import Certificate, CourseCertificateConfig as Config
from cert_plugin import models

def bad(certificate, options):
    Certificate.objects.filter(pk=1).update(active=None)
    Config.objects.create(course_key="x")
    models.Approval.objects.get_or_create(user=None)
    certificate.save()

def fine(options):
    options.update(colour="red")
    return Config.objects.filter(enabled=True).exists()
"""
    assert [line.split(":", 1)[0] for line in model_writes(source)] == ["6", "7", "8", "9"]


@pytest.mark.parametrize(
    "module", [m for m in _modules() if m not in MAY_WRITE_MODELS and not m.startswith("migrations/")]
)
def test_nothing_but_the_api_writes_models(module):
    writes = model_writes((PACKAGE / module).read_text(encoding="utf-8"))
    assert writes == [], (
        f"cert_plugin/{module} writes models directly; go through cert_plugin.api:\n" + "\n".join(writes)
    )


ROOMS = [m for m in DOMAIN if m.startswith("domain/") and m != "domain/__init__.py"]


@pytest.mark.parametrize("module", ROOMS)
def test_each_room_says_which_models_it_writes(module):
    """The first lines of a room name the models it writes (``Writes: ...``), checked against its code."""
    source = (PACKAGE / module).read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source)) or ""
    assert "Writes" in docstring or "writes nothing" in docstring, (
        f"cert_plugin/{module} does not say which models it writes")
    classes, _ = _model_names(ast.parse(source))
    written = {write.split(":", 1)[1].strip().split(".", 1)[0] for write in model_writes(source)}
    written &= classes
    unnamed = sorted(name for name in written if name not in docstring)
    assert unnamed == [], f"cert_plugin/{module} writes {', '.join(unnamed)}; its docstring does not say so"


# --------------------------------------------------------------------------- module size

MAX_LINES = 600


@pytest.mark.parametrize("module", [m for m in _modules() if not m.startswith("migrations/")])
def test_no_module_outgrows_one_concern(module):
    lines = len((PACKAGE / module).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"cert_plugin/{module} has {lines} lines (> {MAX_LINES}): split it by concern or by page, "
        "as cert_plugin/domain/ and cert_plugin/views/staff/ are"
    )


# --------------------------------------------------------------------------- import graph

TASK_LAYER = {"cert_plugin.jobs", "cert_plugin.tasks"}


def _dotted(module: str) -> str:
    parts = ["cert_plugin", *module.removesuffix(".py").split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_level_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """For dotted module names mapped to their source: which of them each imports when it is imported
    (module body, if/try blocks and class bodies; not functions, not ``if TYPE_CHECKING:``)."""
    graph: dict[str, set[str]] = {}
    for name, source in sources.items():
        tree = ast.parse(source)
        annotations_only = _in_type_checking(tree)
        graph[name] = {
            imported
            for statement in _top_level_statements(tree)
            if isinstance(statement, ast.Import | ast.ImportFrom) and statement not in annotations_only
            for imported, _ in _imports(statement)
            if imported in sources and imported != name
        }
    return graph


def _cycle_from(node: str, graph: dict[str, set[str]], path: list[str], done: set[str]) -> list[str] | None:
    """A cycle reachable from ``node`` (depth first; ``path`` is the current chain), or None."""
    if node in path:
        return [*path[path.index(node):], node]
    if node in done:
        return None
    path.append(node)
    for imported in sorted(graph.get(node, ())):
        cycle = _cycle_from(imported, graph, path, done)
        if cycle:
            return cycle
    path.pop()
    done.add(node)
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles of modules that import each other, each as a path back to where it started."""
    found: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(graph):
        cycle = _cycle_from(start, graph, [], done)
        if cycle:
            found.append(cycle)
            done.update(cycle)
    return found


def test_the_cycle_finder_sees_a_cycle_through_module_level_imports_only():
    sources = {
        "cert_plugin.a": "from cert_plugin import b\n",
        "cert_plugin.b": "import cert_plugin.c\n",
        "cert_plugin.c": ("from typing import TYPE_CHECKING\n"
                          "if TYPE_CHECKING:\n    from cert_plugin import b\n"
                          "def f():\n    from cert_plugin import a\n"),
        "cert_plugin.d": "try:\n    from cert_plugin.e import x\nexcept ImportError:\n    pass\n",
        "cert_plugin.e": "class C:\n    from cert_plugin import d\n",
    }
    assert cycles(module_level_graph(sources)) == [["cert_plugin.d", "cert_plugin.e", "cert_plugin.d"]]


def test_no_import_cycle_among_the_plugins_modules():
    sources = {_dotted(m): (PACKAGE / m).read_text(encoding="utf-8")
               for m in _modules() if not m.startswith("migrations/")}
    found = cycles(module_level_graph(sources))
    assert found == [], "import cycles at module level:\n" + "\n".join(" -> ".join(c) for c in found)


@pytest.mark.parametrize("module", DOMAIN)
def test_the_domain_never_imports_the_task_layer(module):
    """Not even inside a function: the domain schedules work through cert_plugin.scheduling."""
    found = sorted({name for name, _ in _imports(_tree(module)) if name in TASK_LAYER})
    assert found == [], (
        f"cert_plugin/{module} imports the task layer ({', '.join(found)}); "
        "schedule work with cert_plugin.scheduling.enqueue instead."
    )


# --------------------------------------------------------------------------- private names


def private_imports(source: str, modules: set[str]) -> list[str]:
    """Each use in ``source`` of another plugin module's underscore name, as "line: name":
    ``from cert_plugin.x import _y`` and ``x._y`` on a name bound to a plugin module."""
    tree = ast.parse(source)
    bound: set[str] = set()
    found = []
    for node in ast.walk(tree):
        plugin = isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cert_plugin")
        if isinstance(node, ast.ImportFrom) and node.level == 0 and plugin:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in modules:
                    bound.add(alias.asname or alias.name)
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{node.lineno}: {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            bound.update(a.asname for a in node.names if a.asname and a.name.startswith("cert_plugin"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return sorted(found)


def test_the_private_name_check_sees_both_forms():
    modules = {"cert_plugin.domain.files", "cert_plugin.domain.shared"}
    source = """
from cert_plugin.domain.shared import get_host, _secret
from cert_plugin.domain import files

def f():
    return files._produce(None, "pdf"), files.download, get_host()._private
"""
    assert private_imports(source, modules) == ["2: cert_plugin.domain.shared._secret", "6: files._produce"]


@pytest.mark.parametrize("module", [m for m in _modules() if not m.startswith("migrations/")])
def test_no_module_uses_another_modules_private_names(module):
    modules = {_dotted(m) for m in _modules()}
    found = private_imports((PACKAGE / module).read_text(encoding="utf-8"), modules)
    assert found == [], (
        f"cert_plugin/{module} uses private names of another module (a room's helpers are its own; "
        "make a shared one public in cert_plugin/domain/shared.py):\n" + "\n".join(found)
    )
