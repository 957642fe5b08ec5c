"""The layering of docs/dev/architecture.md, enforced: every ``import`` in src/dalil is read
with :mod:`ast` (imports inside functions and under ``TYPE_CHECKING`` included) and held
against the contracts

- adapters (``cli/``, ``web/``) import services, display, pure libraries and ``errors``;
  never the kernel (``core/``, ``model/``, ``store/``, ``vault/``): what they need of it
  comes through ``dalil.services.kernel``;
- the kernel never imports services or adapters; services never import adapters;
- pure libraries import none of the service layer, the kernel or the adapters;
- ``dalil.display.messages``, imported by pure libraries, reaches (through all its dalil
  imports) only ``display`` and ``errors``;
- the raw permission primitive ``dalil.core.access.require`` is used by the kernel only
  (a service calls ``ctx.require`` / ``case.require``, which log a refusal);
- the kernel has no import cycle (imports under ``TYPE_CHECKING`` are not run, so they
  do not count for cycles).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "dalil"

ADAPTERS = {"cli", "web"}
SERVICES = {"services"}
KERNEL = {"core", "model", "store", "vault"}
PURE = {
    "sources",
    "linkage",
    "estimate",
    "findings",
    "report",
    "display",
    "search",
    "media",
    "ocr",
    "synth",
    "tabular",
    "errors",
}
TOOLING = {"demo", "docs_cli", "testing", "__init__", "__main__"}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    target: str  # dotted module (or module.attribute) name
    line: int
    type_only: bool  # under ``if TYPE_CHECKING:``


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for sub in child.body:
                yield sub, True
                yield from _walk(sub, True)
            for sub in child.orelse:
                yield sub, type_only
                yield from _walk(sub, type_only)
            continue
        yield child, type_only
        yield from _walk(child, type_only)


def _imports_of(path: Path) -> Iterator[Import]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node, type_only in _walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno, type_only)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                # ``from dalil.core import access`` imports the module dalil.core.access;
                # ``from dalil.core.case import Case`` the module dalil.core.case.
                yield Import(name, f"{module}.{alias.name}", node.lineno, type_only)


def _all_imports() -> list[Import]:
    return [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in _imports_of(path)]


def _layer(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "dalil":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


IMPORTS = _all_imports()


def _violations(importers: set[str], forbidden: set[str]) -> list[str]:
    return sorted(
        f"{imp.importer}:{imp.line} imports {imp.target}"
        for imp in IMPORTS
        if _layer(imp.importer) in importers and _layer(imp.target) in forbidden
    )


def test_the_scan_sees_every_package() -> None:
    """A guard on the test itself: every top-level package of dalil is in one layer, and
    the scan found the imports it is meant to judge."""
    tops = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    tops = {t for t in tops if not t.startswith("__pycache__") and not t.startswith(".")}
    tops -= {"py", "typed"}
    unplaced = {
        t
        for t in tops
        if (PACKAGE / t).is_dir() or (PACKAGE / f"{t}.py").exists()
        if t not in ADAPTERS | SERVICES | KERNEL | PURE | TOOLING
    }
    assert not unplaced, f"put these packages in a layer of the contract: {sorted(unplaced)}"
    assert any(
        i.importer == "dalil.cli.persons" and i.target.startswith("dalil.services") for i in IMPORTS
    )
    assert any(i.type_only for i in IMPORTS)


def test_adapters_import_no_kernel() -> None:
    assert _violations(ADAPTERS, KERNEL) == []


def test_services_and_kernel_import_no_adapter() -> None:
    assert _violations(SERVICES | KERNEL, ADAPTERS) == []


def test_kernel_imports_no_service() -> None:
    assert _violations(KERNEL, SERVICES) == []


@pytest.mark.parametrize("library", sorted(PURE))
def test_pure_library_imports_no_case_code(library: str) -> None:
    forbidden = SERVICES | KERNEL | ADAPTERS | {"case", "demo"}
    assert _violations({library}, forbidden) == []


def test_raw_permission_primitive_is_private_to_the_kernel() -> None:
    """``access.require`` raises without logging; outside the kernel only the logging
    ``ctx.require`` / ``case.require`` may be used."""
    offenders = sorted(
        f"{i.importer}:{i.line}"
        for i in IMPORTS
        if i.target == "dalil.core.access.require" and _layer(i.importer) != "core"
    )
    for path in sorted(PACKAGE.rglob("*.py")):
        if _module_name(path).startswith("dalil.core"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "require"
                and isinstance(node.value, ast.Name)
                and node.value.id == "access"
            ):
                offenders.append(f"{_module_name(path)}:{node.lineno}")
    assert offenders == []


def test_adapters_neither_check_permissions_nor_audit() -> None:
    """Permission checks and audit entries happen in services, once: an adapter calls no
    ``.require(…)`` / ``.log_denial(…)`` and no ``.audit("action", …)``."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if _layer(_module_name(path)) not in ADAPTERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            name = node.func.attr
            first = node.args[0] if node.args else None
            if name in ("require", "log_denial") or (
                name == "audit" and isinstance(first, ast.Constant) and isinstance(first.value, str)
            ):
                offenders.append(f"{_module_name(path)}:{node.lineno} .{name}(…)")
    assert offenders == []


def _cycles(modules: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for m in sorted(modules):
        if m not in index:
            visit(m)
    return found


def _resolve(target: str, modules: set[str]) -> str | None:
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


@pytest.mark.parametrize("layer", ["core"])
def test_no_import_cycles(layer: str) -> None:
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py") if _layer(_module_name(p)) == layer}
    edges: dict[str, set[str]] = {}
    for imp in IMPORTS:
        if imp.type_only or imp.importer not in modules:
            continue
        target = _resolve(imp.target, modules)
        if target and target != imp.importer and target != f"dalil.{layer}":
            edges.setdefault(imp.importer, set()).add(target)
    assert _cycles(modules, edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles({"a", "b", "c", "d"}, edges) == [["a", "b", "c"]]


def _imported_dalil_modules(start: str) -> set[str]:
    """The dalil modules *start* imports, directly or through each other (imports inside
    functions and under ``TYPE_CHECKING`` included)."""
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    seen: set[str] = set()
    todo = [start]
    while todo:
        current = todo.pop()
        for imp in IMPORTS:
            if imp.importer != current:
                continue
            target = _resolve(imp.target, modules)
            if target and target != current and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_display_messages_is_pure() -> None:
    """The pure libraries (linkage's matcher among them) word their job log lines with
    ``dalil.display.messages``: it, and all it imports of dalil, stays clear of the case,
    the models, the services and the web (its one dalil import is the i18n catalogues)."""
    reached = _imported_dalil_modules("dalil.display.messages")
    assert "dalil.display.i18n" in reached  # the scan follows the lazy import in _fill
    forbidden = SERVICES | KERNEL | ADAPTERS | {"case", "demo"}
    assert sorted(m for m in reached if _layer(m) in forbidden) == []
    assert {_layer(m) for m in reached} <= {"display", "errors"}
