"""Check reportc's size limits (issue #22): modules, functions and their cyclomatic complexity.

    .venv/bin/python scripts/check_sizes.py [PATH...]   (default: reportc/; run by `make lint`)

Small units are what keep the code readable by someone new to it, so the limits are checked
like a lint rule instead of remembered:

- a module has at most 450 lines, counted as physical lines (radon's ``loc``: blank lines,
  comments and docstrings included), because that is what a reader scrolls through;
- a function (or method, or a function nested in one) has at most 50 lines, from its ``def``
  line to its last line (``end_lineno - lineno + 1`` from ``ast``; decorators not counted);
- a function's cyclomatic complexity (radon's ``ComplexityVisitor``) is at most 15. As in radon, a
  nested function's branches count for itself, not for the function around it.

Every offender is printed as ``path:line: message`` and the exit status is 1. ``ALLOWED``
names the offenders another branch is fixing at the same time; an entry that no longer
offends is an error too, so the list cannot outlive its reason.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from radon.raw import analyze
from radon.visitors import Class, ComplexityVisitor, Function

MODULE_LINES = 450
FUNCTION_LINES = 50
COMPLEXITY = 15
REPO = Path(__file__).resolve().parent.parent

# (path relative to the repository, qualified function name or "" for the module): offenders
# that another engineer's branch brings under the limits this round (issue #22, item 4:
# reportc/project/config.py becomes a declarative schema). Remove an entry once it passes.
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def _long_functions(tree: ast.AST) -> Iterator[tuple[int, str, int]]:
    """Yield (line, qualified name, length) of every function over the line limit."""
    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[int, str, int]]:
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                if length > FUNCTION_LINES:
                    yield child.lineno, name, length
            yield from walk(child, f"{name}." if name != prefix else prefix)
    yield from walk(tree, "")


def _blocks(blocks: list[Function | Class], prefix: str = "") -> Iterator[tuple[str, Function]]:
    """Yield every function radon found, with its qualified name: methods, closures, and
    the functions of nested classes too (radon keeps each in its parent's list)."""
    for block in blocks:
        name = f"{prefix}{block.name}"
        if isinstance(block, Class):
            yield from _blocks([*block.methods, *block.inner_classes], f"{name}.")
        else:
            yield name, block
            yield from _blocks(list(block.closures), f"{name}.")


def check_file(path: Path) -> list[tuple[int, str, str]]:
    """The offences of one module: (line, function name or "", message)."""
    source = path.read_text(encoding="utf-8")
    found: list[tuple[int, str, str]] = []
    lines = analyze(source).loc
    if lines > MODULE_LINES:
        found.append((1, "", f"module is {lines} lines (limit {MODULE_LINES})"))
    for line, name, length in _long_functions(ast.parse(source, str(path))):
        found.append((line, name,
                      f"function {name} is {length} lines (limit {FUNCTION_LINES})"))
    visitor = ComplexityVisitor.from_code(source)
    for name, function in _blocks([*visitor.functions, *visitor.classes]):
        if function.complexity > COMPLEXITY:
            found.append((function.lineno, name, f"function {name} has cyclomatic "
                          f"complexity {function.complexity} (limit {COMPLEXITY})"))
    return sorted(found)


def _relative(path: Path) -> str:
    """The path as printed and as ALLOWED names it: relative to the repository if inside."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO)) if resolved.is_relative_to(REPO) else str(path)


def main(argv: list[str]) -> int:
    """Check every .py file under the given paths; print offences; 1 if any."""
    roots = [Path(a) for a in argv] or [REPO / "reportc"]
    files = sorted(f for r in roots for f in ([r] if r.is_file() else r.rglob("*.py")))
    failed = False
    used: set[tuple[str, str]] = set()
    for path in files:
        rel = _relative(path)
        for line, name, message in check_file(path):
            if (rel, name) in ALLOWED:
                used.add((rel, name))
                continue
            print(f"{rel}:{line}: {message}")
            failed = True
    for rel, name in sorted(ALLOWED - used):
        if any(_relative(f) == rel for f in files):
            print(f"{rel}:1: {name or 'module'} is within the limits now: remove it from "
                  f"ALLOWED in scripts/check_sizes.py")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
