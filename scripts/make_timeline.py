#!/usr/bin/env python3
"""Write figures/timeline.svg: dated milestones in China-Russia technology cooperation.

Standalone (standard library only) and deterministic: the same input always gives the
same bytes. Run from anywhere: ``python3 scripts/make_timeline.py``.

Every date below is one the seed documents give (see the comment on each event):
  B&K    = Bendett and Kania, "China, Russia Deepen Technological Ties", Defense One,
           4 October 2019 (seed 002)
  TRENDS = "Russian-Chinese Collaboration in Defense Technology: Prospects and Limits",
           TRENDS Research & Advisory, 2022 (seed 003), including its notes [1]-[15]
Events are spaced evenly, not to scale: 1989-2014 holds two events, 2014-2022 nine.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

# (date label, label lines) in date order.
EVENTS: list[tuple[str, tuple[str, ...]]] = [
    # TRENDS: relations between China and the Soviet Union normalised in 1989.
    ("1989", ("Sino-Soviet relations", "normalised")),
    # TRENDS: the 1996 "strategic partnership of coordination".
    ("1996", ("‘Strategic partnership", "of coordination’")),
    # TRENDS: after the 2014 Ukraine crisis Russia relaxed limits on transferring
    # advanced military technology to China.
    ("2014", ("Ukraine crisis; Russia", "eases transfer limits")),
    # B&K: Xi Jinping's visit to Moscow in May 2015, followed by a series of agreements.
    ("May 2015", ("Xi visits Moscow;", "agreements follow")),
    # TRENDS: 2015 contracts for Su-35 fighters and S-400 air defence (c. US$5 billion).
    ("2015", ("Su-35 and S-400", "contracts signed")),
    # B&K: June 2016 memorandum on innovation cooperation (science and technology
    # ministry of China; economic development ministry of Russia).
    ("Jun 2016", ("Innovation", "cooperation MoU")),
    # B&K: in September (2019; the article is dated 4 October 2019) a document set up a
    # hi-tech accelerator working with neural networks.
    ("Sep 2019", ("Neural-network", "accelerator agreed")),
    # TRENDS: Putin announced in October 2019 that Russia was helping China build a
    # missile attack early-warning radar system (note [4]).
    ("Oct 2019", ("Early-warning radar", "help announced")),
    # TRENDS note [7]: Reuters, 8 November 2021, "Russia Signs Contract to Develop New
    # Heavy Helicopter with China".
    ("Nov 2021", ("Heavy-helicopter", "contract reported")),
    # TRENDS note [5]: TASS, 23 December 2021: Putin says the two countries are jointly
    # developing high-tech weapons (end-of-year news conference).
    ("Dec 2021", ("Putin: joint work on", "high-tech weapons")),
    # TRENDS: Russia's 2022 "special military operation" in Ukraine.
    ("2022", ("Russia invades", "Ukraine")),
]

WIDTH = 700
HEIGHT = 160
MARGIN = 60
AXIS_Y = 80
INK = "#1f2933"
ACCENT = "#0b5d7a"
FONT = "'Source Sans 3', sans-serif"
OUT = Path(__file__).resolve().parents[1] / "figures" / "timeline.svg"

TITLE = "Selected dated milestones in China–Russia technology and defence cooperation, 1989–2022"
DESC = ("A horizontal timeline of eleven events, spaced evenly rather than to scale: "
        + "; ".join(f"{date}: {' '.join(lines)}" for date, lines in EVENTS)
        + ". Sources: Bendett and Kania (2019); TRENDS Research & Advisory (2022).")


def fmt(value: float) -> str:
    """Coordinates with at most one decimal place, without trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def build_svg() -> str:
    step = (WIDTH - 2 * MARGIN) / (len(EVENTS) - 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        'aria-labelledby="timeline-title timeline-desc">',
        f'  <title id="timeline-title">{escape(TITLE)}</title>',
        f'  <desc id="timeline-desc">{escape(DESC)}</desc>',
        f'  <g font-family="{FONT}" fill="{INK}">',
        f'    <line x1="{MARGIN - 20}" y1="{AXIS_Y}" x2="{WIDTH - MARGIN + 20}" y2="{AXIS_Y}" '
        f'stroke="{INK}" stroke-width="1.5"/>',
    ]
    for index, (date, lines) in enumerate(EVENTS):
        x = MARGIN + index * step
        above = index % 2 == 0
        tick_end = AXIS_Y - 22 if above else AXIS_Y + 22
        out.append(f'    <line x1="{fmt(x)}" y1="{AXIS_Y}" x2="{fmt(x)}" y2="{tick_end}" '
                   f'stroke="{ACCENT}" stroke-width="1"/>')
        out.append(f'    <circle cx="{fmt(x)}" cy="{AXIS_Y}" r="4.5" fill="{ACCENT}"/>')
        # Above the axis: date nearest the axis, label lines stacked upwards.
        # Below the axis: date nearest the axis, label lines stacked downwards.
        if above:
            date_y = tick_end - 6
            line_ys = [date_y - 15 - 14 * (len(lines) - 1 - k) for k in range(len(lines))]
        else:
            date_y = tick_end + 15
            line_ys = [date_y + 15 + 14 * k for k in range(len(lines))]
        out.append(f'    <text x="{fmt(x)}" y="{date_y}" text-anchor="middle" font-size="13" '
                   f'font-weight="600" fill="{ACCENT}">{escape(date)}</text>')
        for text, y in zip(lines, line_ys, strict=True):
            out.append(f'    <text x="{fmt(x)}" y="{y}" text-anchor="middle" '
                       f'font-size="11">{escape(text)}</text>')
    out.append("  </g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(build_svg(), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
