"""The layout's rules, checked on the source: small modules, thin commands, no
import circle, commands that do not import each other (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("domain", "projections", "cli")
MAX_MODULE_LINES = 400
MAX_COMMAND_LINES = 15


def _modules() -> dict[str, Path]:
    found = {}
    for top in PRODUCT:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Product modules `path` imports, at any depth (lazy imports included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        out.update(n for n in names if n in modules)
    return out


def _is_command(node: ast.AST) -> bool:
    if not isinstance(node, ast.FunctionDef):
        return False
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        text = ast.unparse(target)
        if text.endswith((".command", ".group")) or text in ("click.command",):
            return True
    return False


def _body_lines(node: ast.FunctionDef) -> int:
    body = node.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    ):
        body = body[1:]  # the docstring is the command's --help
    if not body:
        return 0
    return (body[-1].end_lineno or 0) - body[0].lineno + 1


def test_no_product_module_is_over_400_lines() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in _modules().items()
    }
    assert {n: s for n, s in sizes.items() if s > MAX_MODULE_LINES} == {}


def test_no_command_body_is_over_15_lines() -> None:
    long = {}
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _is_command(node):
                assert isinstance(node, ast.FunctionDef)
                if _body_lines(node) > MAX_COMMAND_LINES:
                    long[f"{name}.{node.name}"] = _body_lines(node)
    assert long == {}


def test_no_command_module_imports_another() -> None:
    modules = _modules()
    commands = {n for n in modules if n.split(".")[-1].startswith("cmd_")}
    crossing = {
        name: sorted(_imports(modules[name], modules) & (commands - {name}))
        for name in commands
    }
    assert {n: i for n, i in crossing.items() if i} == {}


def test_no_import_circle() -> None:
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    circles = []

    def visit(name: str, path: list[str]) -> None:
        for nxt in graph[name]:
            if nxt in path:
                circles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in done:
                visit(nxt, [*path, nxt])
        done.add(name)

    done: set[str] = set()
    for name in modules:
        if name not in done:
            visit(name, [name])
    assert circles == []


def test_domain_imports_no_click_and_no_backend() -> None:
    backends = ("sqlite3", "eventsourcing.sqlite", "eventsourcing.postgres", "psycopg")
    for name, path in _modules().items():
        if name.startswith("domain"):
            text = path.read_text(encoding="utf-8")
            assert "import click" not in text, name
            assert not [
                b for b in backends if f"import {b}" in text or f"from {b}" in text
            ], name
