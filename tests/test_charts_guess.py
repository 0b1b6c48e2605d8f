"""The charts guessed from the chapters' text before pandoc reads them (#27 item 6): the
renderer draws them while pandoc works, the build takes a guessed drawing only where it
asks for the same spec and config, and a guess that misses changes nothing."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

from conftest import build_root, copy_root

import reportc.charts.engine
from reportc.charts.engine import ChartEngine
from reportc.charts.guess import spec_texts
from reportc.project.markdown import Chapter

SPEC = "mark: bar\nencoding:\n  x: {field: a, type: nominal}"


def _chapter(text: str) -> Chapter:
    return Chapter(Path("chapters/01.md"), "chapters/01.md", text)


def test_the_specs_are_read_as_pandoc_gives_them(tmp_path: Path) -> None:
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "x.vl.yaml").write_text("mark: point\n", encoding="utf-8")
    text = (f'# A\n\n```{{.chart #fig-a fig-cap="A."}}\n{SPEC}\n```\n\n'
            f"~~~~ {{#fig-b .chart}}\n{{\"mark\": \"line\"}}\n~~~~~~\n\n"
            "![X.](charts/x.vl.yaml){#fig-x}\n\n![Y.](<charts/missing.vl.json> \"t\")\n\n"
            f"  ```{{.chart}}\n  {SPEC}\n  ```\n\n"  # indented: left to pandoc
            "```{.chart}\nmark:\tbar\n```\n\n"  # a tab, which pandoc widens
            "```{.python}\nmark: bar\n```\n\n```{.chart}\nmark: bar\n")  # never closed
    assert list(spec_texts([_chapter(text)], tmp_path)) == [
        SPEC, '{"mark": "line"}', "mark: point\n"]


class _Drawn:
    """A renderer that draws nothing: each drawing asked for, counted."""

    def __init__(self, monkeypatch: Any) -> None:
        self.specs: list[dict[str, Any]] = []
        monkeypatch.setattr(ChartEngine, "svg", self.svg)

    def svg(self, spec: dict[str, Any], config: dict[str, Any]) -> str:
        self.specs.append(spec)
        return f"<svg>{spec['mark']}</svg>"


def test_a_guessed_drawing_is_the_one_asked_for_and_the_others_are_dropped(
        monkeypatch) -> None:
    drawn = _Drawn(monkeypatch)
    engine = ChartEngine([])
    config = {"font": "x"}
    engine.guess(lambda: iter([({"mark": "bar"}, config), ({"mark": "line"}, config),
                               ({"mark": "bar"}, config)]))
    bar = engine.submit({"mark": "bar"}, config)
    assert bar.result() == "<svg>bar</svg>"
    other = engine.submit({"mark": "bar"}, {"font": "y"})  # another config: drawn anew
    assert other is not bar and other.result() == "<svg>bar</svg>"
    engine.forget_guesses()  # the line chart was not asked for
    assert engine.submit({"mark": "line"}, config).result() == "<svg>line</svg>"
    again = engine.submit({"mark": "bar"}, config)
    assert again is not bar and again.result() == "<svg>bar</svg>"  # a guess is taken once
    marks = [s["mark"] for s in drawn.specs]
    assert marks.count("bar") == 3  # the guess's twice-named bar chart is drawn once
    assert marks.count("line") in (1, 2)  # the dropped guess, if begun before it was


def test_a_failing_guess_is_no_drawing(monkeypatch) -> None:
    drawn = _Drawn(monkeypatch)
    engine = ChartEngine([])

    def broken() -> Any:
        yield {"mark": "bar"}, {}
        raise OSError("gone")

    engine.guess(broken)
    assert engine.submit({"mark": "bar"}, {}).result() == "<svg>bar</svg>"
    assert len(drawn.specs) == 1


def test_every_chart_of_the_fixture_is_guessed_and_drawn_once(tmp_path: Path,
                                                                monkeypatch) -> None:
    """Each authoring form (a YAML and a JSON code block, YAML and JSON spec files)."""
    sent: list[bool] = []
    real_submit = ChartEngine._submit

    def submit(self: ChartEngine, spec: dict[str, Any], config: dict[str, Any]
               ) -> Future[str]:
        sent.append(self._guessing is not None)  # True: sent by the guess's thread
        return real_submit(self, spec, config)

    monkeypatch.setattr(ChartEngine, "_submit", submit)
    monkeypatch.setattr(reportc.charts.engine, "_engine", None)
    root = copy_root("charts", tmp_path)
    built = build_root(root, formats=("html",), use_cache=False)
    assert sent == [True] * 4
    clean = tmp_path / "unguessed"
    monkeypatch.setattr(ChartEngine, "guess", lambda self, charts: None)
    assert build_root(root, out=clean, formats=("html",), use_cache=False
                      ).html_path.read_bytes() == built.html_path.read_bytes()
