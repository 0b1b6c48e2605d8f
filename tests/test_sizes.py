"""scripts/check_sizes.py, the size limits `make lint` checks (issue #22): each limit is
found where it is crossed and only there, and an allowance that is no longer needed fails."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_sizes.py"


@pytest.fixture(scope="module")
def sizes():
    spec = importlib.util.spec_from_file_location("check_sizes", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _function(name: str, body_lines: int, indent: str = "") -> str:
    """A function of ``body_lines + 1`` lines (its def line and straight-line statements)."""
    body = "".join(f"{indent}    x{n} = {n}\n" for n in range(body_lines))
    return f"{indent}def {name}():\n{body}"


def _branchy(name: str, branches: int) -> str:
    """A function of cyclomatic complexity ``branches + 1`` (one ``if`` per branch)."""
    body = "".join(f"    if a == {n}:\n        return {n}\n" for n in range(branches))
    return f"def {name}(a):\n{body}    return -1\n"


def test_function_length_counts_from_def_to_last_line(sizes, tmp_path):
    path = tmp_path / "m.py"
    path.write_text(_function("fits", 49) + "\n\n" + _function("too_long", 50) + "\n\n"
                    "class Box:\n" + _function("method", 51, "    "), encoding="utf-8")
    found = sizes.check_file(path)
    messages = [message for _, _, message in found]
    assert messages == ["function too_long is 51 lines (limit 50)",
                        "function Box.method is 52 lines (limit 50)"]
    assert [line for line, _, _ in found] == [53, 107]  # the def lines


def test_complexity_above_fifteen_is_reported(sizes, tmp_path):
    path = tmp_path / "m.py"
    path.write_text(_branchy("fifteen", 14) + "\n\n" + _branchy("sixteen", 15) + "\n\n"
                    "def outer(a):\n" + "".join(
                        "    " + line + "\n" for line in _branchy("inner", 16).splitlines()) +
                    "    return inner\n", encoding="utf-8")
    messages = [message for _, _, message in sizes.check_file(path)]
    assert messages == ["function sixteen has cyclomatic complexity 16 (limit 15)",
                        "function outer.inner has cyclomatic complexity 17 (limit 15)"]


def test_module_lines_are_physical_lines(sizes, tmp_path):
    path = tmp_path / "m.py"
    path.write_text("# a comment\n\n" * 225, encoding="utf-8")  # 450 lines: at the limit
    assert sizes.check_file(path) == []
    path.write_text("# a comment\n\n" * 225 + "x = 1\n", encoding="utf-8")
    assert sizes.check_file(path) == [(1, "", "module is 451 lines (limit 450)")]


def test_command_prints_located_messages_and_fails(tmp_path):
    (tmp_path / "bad.py").write_text(_branchy("tangled", 20), encoding="utf-8")
    (tmp_path / "good.py").write_text(_function("short", 3), encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 1
    assert done.stdout == (f"{tmp_path / 'bad.py'}:1: function tangled has cyclomatic "
                           "complexity 21 (limit 15)\n")
    clean = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "good.py")],
                           capture_output=True, text=True, check=False)
    assert (clean.returncode, clean.stdout) == (0, "")


def test_an_allowance_no_longer_needed_fails(sizes, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sizes, "REPO", tmp_path)
    (tmp_path / "old.py").write_text(_branchy("tangled", 20), encoding="utf-8")
    (tmp_path / "fixed.py").write_text(_function("short", 3), encoding="utf-8")
    monkeypatch.setattr(sizes, "ALLOWED", frozenset({("old.py", "tangled"),
                                                     ("fixed.py", "short")}))
    assert sizes.main([str(tmp_path)]) == 1
    assert capsys.readouterr().out == ("fixed.py:1: short is within the limits now: remove "
                                       "it from ALLOWED in scripts/check_sizes.py\n")
    monkeypatch.setattr(sizes, "ALLOWED", frozenset({("old.py", "tangled")}))
    assert sizes.main([str(tmp_path)]) == 0
