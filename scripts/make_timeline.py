#!/usr/bin/env python3
"""Write figures/timeline.svg: dated events in China-Russia technology cooperation.

Standalone (standard library only) and deterministic: the same input always gives the
same bytes. Run from anywhere: ``python3 scripts/make_timeline.py``.

Every date below is one the seed documents give (see the comment on each event):
  B&K    = Bendett and Kania, "China, Russia Deepen Technological Ties", Defense One,
           4 October 2019 (seed 002)
  LEE    = John Lee, "China-Russia cooperation in advanced technologies", ACRI,
           3 November 2022 (seed 000)
  TRENDS = "Russian-Chinese Collaboration in Defense Technology: Prospects and Limits",
           TRENDS Research & Advisory, 2022 (seed 003), including its notes [1]-[15]

The time axis is proportional: x is a linear function of the date. An event dated only
to a year is placed at mid-year, one dated to a month at mid-month; the "early 1990s"
are drawn as the span 1990-1993. Labels stand in rows off the axis, each joined to its
date by a stem; above the axis the rows rise from left to right among the events from
2014 on (and below the axis they fall), so that every label runs left from its stem over
the empty years 1997-2013 without crossing another stem.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

# (position in years, date label, text, side, row). Side "up" is above the axis, "down"
# below; row 1 is nearest the axis. Anchor "end": the label ends at its stem and runs
# left; "start": it begins at its stem and runs right.
EVENTS: list[tuple[float, str, str, str, int, str]] = [
    # TRENDS: relations between China and the Soviet Union normalised in 1989.
    (1989.5, "1989", "Sino-Soviet relations normalised", "up", 8, "start"),
    # TRENDS: real security cooperation from the early 1990s, with confidence-building
    # measures to demilitarise the border (drawn as the span 1990-1993).
    (1991.5, "Early 1990s", "Border confidence-building measures", "down", 6, "start"),
    # TRENDS: the 1996 "strategic partnership of coordination".
    (1996.5, "1996", "‘Strategic partnership of coordination’", "up", 7, "start"),
    # TRENDS: after the 2014 Ukraine crisis Russia relaxed limits on transferring
    # advanced military technology to China.
    (2014.5, "2014", "Ukraine crisis; Russia eases transfer limits", "up", 1, "end"),
    # TRENDS: since 2014 joint development of a long-range wide-body airliner.
    (2014.5, "2014", "Joint wide-body airliner programme begins", "down", 1, "end"),
    # B&K: Xi Jinping's visit to Moscow in May 2015, followed by a series of agreements.
    (2015 + 4.5 / 12, "May 2015", "Xi visits Moscow; agreements follow", "up", 2, "end"),
    # TRENDS: 2015 contracts for Su-35 fighters and S-400 air defence (c. US$5 billion).
    (2015.5, "2015", "Su-35 and S-400 contracts", "down", 2, "end"),
    # B&K: June 2016 memorandum on innovation cooperation (science and technology
    # ministry of China; economic development ministry of Russia).
    (2016 + 5.5 / 12, "Jun 2016", "Innovation cooperation memorandum", "up", 3, "end"),
    # B&K: China's ambassador to Russia "said last year" (the article is of October
    # 2019) that direct links between scientific, business and financial communities
    # were particularly important.
    (2018.5, "2018", "Chinese ambassador urges direct links", "down", 3, "end"),
    # TRENDS note [3]: Gady, The Diplomat, 17 April 2019, "Russia Completes Delivery of
    # 24 Su-35 Fighter Jets to China".
    (2019 + 3.5 / 12, "Apr 2019", "Delivery of 24 Su-35s completed", "up", 4, "end"),
    # B&K: in September (2019; the article is dated 4 October 2019) a document set up a
    # hi-tech accelerator working with neural networks.
    (2019 + 8.5 / 12, "Sep 2019", "Neural-network accelerator agreed", "down", 4, "end"),
    # TRENDS: Putin announced in October 2019 that Russia was helping China build a
    # missile attack early-warning radar system (note [4]).
    (2019 + 9.5 / 12, "Oct 2019", "Putin: help with early-warning radar", "up", 5, "end"),
    # B&K (dated 4 October 2019): "This month" the head of the Russian Academy of
    # Sciences said Beijing had begun to woo Russian STEM talent.
    (2019 + 9.5 / 12, "Oct 2019", "Academy head warns of talent recruitment", "down", 5,
     "end"),
    # TRENDS note [7]: Reuters, 8 November 2021, "Russia Signs Contract to Develop New
    # Heavy Helicopter with China".
    (2021 + 10.5 / 12, "Nov 2021", "Heavy-helicopter contract reported", "up", 6, "end"),
    # TRENDS note [5]: TASS, 23 December 2021: Putin says the two countries are jointly
    # developing high-tech weapons (end-of-year news conference).
    (2021 + 11.5 / 12, "Dec 2021", "Putin: joint work on high-tech weapons", "down", 6,
     "end"),
    # TRENDS: Russia's 2022 "special military operation" in Ukraine.
    (2022.5, "2022", "Russia invades Ukraine", "up", 7, "end"),
    # LEE: report published 3 November 2022, the latest of the sources.
    (2022 + 10.5 / 12, "Nov 2022", "Lee's report; evidence ends", "up", 8, "end"),
]
SPAN = (1990.0, 1993.0, 1991.5)  # the "early 1990s" event: drawn span, stem position

WIDTH = 700
HEIGHT = 242
START, END = 1989.0, 2023.0  # years at the ends of the scale
LEFT, RIGHT = 30, 682  # x of START and END
BAND = 8  # half-height of the axis band
AXIS_Y = 134
ROW = 15  # distance between label rows
INK = "#1f2933"
ACCENT = "#0b5d7a"
FONT = "'Source Sans 3', sans-serif"
SIZE = 11.5
OUT = Path(__file__).resolve().parents[1] / "figures" / "timeline.svg"

TITLE = ("Dated events in China–Russia technology and defence cooperation named in the "
         "sources, 1989–2022")
DESC = ("A horizontal timeline on a proportional time scale from 1989 to 2022, with "
        f"{len(EVENTS)} events: "
        + "; ".join(f"{date}: {text}" for _x, date, text, *_rest in EVENTS)
        + ". Events dated only to a year are placed at mid-year. Sources: Bendett and "
          "Kania (2019); Lee (2022); TRENDS Research & Advisory (2022) and its notes.")


def fmt(value: float) -> str:
    """Coordinates with at most one decimal place, without trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def xpos(year: float) -> float:
    return LEFT + (year - START) * (RIGHT - LEFT) / (END - START)


def row_y(side: str, row: int) -> float:
    """Baseline of a label in the given row."""
    if side == "up":
        return AXIS_Y - BAND - 6 - (row - 1) * ROW
    return AXIS_Y + BAND + 14 + (row - 1) * ROW


def build_svg() -> str:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" '
        'aria-labelledby="timeline-title timeline-desc">',
        f'  <title id="timeline-title">{escape(TITLE)}</title>',
        f'  <desc id="timeline-desc">{escape(DESC)}</desc>',
        f'  <g font-family="{FONT}" font-size="{SIZE}" fill="{INK}">',
        # The axis: a dark band with the years in white.
        f'    <rect x="{LEFT}" y="{AXIS_Y - BAND}" width="{RIGHT - LEFT}" height="{2 * BAND}" '
        f'fill="{INK}"/>',
    ]
    for year in range(int(START), int(END) + 1):
        x = xpos(year)
        out.append(f'    <line x1="{fmt(x)}" y1="{AXIS_Y + BAND - 3}" x2="{fmt(x)}" '
                   f'y2="{AXIS_Y + BAND}" stroke="#ffffff" stroke-width="0.8"/>')
    for year in range(1990, int(END), 5):
        out.append(f'    <text x="{fmt(xpos(year))}" y="{AXIS_Y + 3}" text-anchor="middle" '
                   f'font-size="9" font-weight="600" fill="#ffffff">{year}</text>')
    lo, hi, _mid = SPAN
    out.append(f'    <rect x="{fmt(xpos(lo))}" y="{AXIS_Y + BAND}" '
               f'width="{fmt(xpos(hi) - xpos(lo))}" height="3" fill="{ACCENT}"/>')
    for year, date, text, side, row, anchor in EVENTS:
        x = xpos(year)
        y = row_y(side, row)
        edge = AXIS_Y - BAND if side == "up" else AXIS_Y + BAND
        if date.startswith("Early"):
            edge += 3  # below the span bar
        tip = y - 3.5
        dash = ' stroke-dasharray="2 2"' if date == "Nov 2022" else ""
        out.append(f'    <line x1="{fmt(x)}" y1="{edge}" x2="{fmt(x)}" y2="{fmt(tip)}" '
                   f'stroke="{ACCENT}" stroke-width="1"{dash}/>')
        out.append(f'    <circle cx="{fmt(x)}" cy="{fmt(tip)}" r="1.8" fill="{ACCENT}"/>')
        lx = x - 4 if anchor == "end" else x + 4
        out.append(f'    <text x="{fmt(lx)}" y="{fmt(y)}" text-anchor="{anchor}">'
                   f'<tspan font-weight="600" fill="{ACCENT}">{escape(date)}</tspan> '
                   f'{escape(text)}</text>')
    out.append("  </g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(build_svg(), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
