"""The renderer's own process: ``python -I worker.py VEGA_LITE_VERSION FONT_FOLDER...``
(isolated, and importing nothing of reportc: only the standard library and vl-convert).

vl-convert holds Python's global interpreter lock while it works, and its first drawing
starts a JavaScript engine (over a second): in a thread of the build it would stall
everything else. In its own process it starts on the other core while the build reads
the bibliography and the chapters.

Protocol: one JSON object per line. The worker first writes ``{"ready": true}`` (or
``{"error": ...}`` if vl-convert cannot start), then answers each request in order:
``{"op": "svg", "spec": ..., "config": ..., "version": ...}`` -> ``{"svg": ...}``;
``{"op": "png", "svg": ..., "scale": ..., "ppi": ...}`` -> ``{"png": base64}``;
a refusal -> ``{"error": message}``. It ends when its input closes (the build ended).
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any, TextIO

WARM_SPEC = {"data": {"values": [{"a": 1}]}, "mark": "point",
             "encoding": {"x": {"field": "a", "type": "quantitative"}}}


def serve(version: str, fonts: list[str], requests: TextIO, answers: TextIO) -> None:
    """Start the renderer (a first drawing with ``version``), then answer requests until
    ``requests`` ends."""
    try:
        import vl_convert as vlc

        for folder in fonts:
            vlc.register_font_directory(folder)
        vlc.vegalite_to_svg(WARM_SPEC, vl_version=version, allowed_base_urls=[])
    except Exception as exc:
        _answer(answers, {"error": f"{exc.__class__.__name__}: {exc}"})
        return
    _answer(answers, {"ready": True})
    for line in requests:
        _answer(answers, _handle(vlc, json.loads(line)))


def _handle(vlc: Any, request: dict[str, Any]) -> dict[str, Any]:
    try:
        if request["op"] == "png":
            png = vlc.svg_to_png(request["svg"], scale=request["scale"], ppi=request["ppi"])
            return {"png": base64.b64encode(bytes(png)).decode("ascii")}
        return {"svg": vlc.vegalite_to_svg(request["spec"], vl_version=request["version"],
                                           config=request["config"], allowed_base_urls=[])}
    except Exception as exc:  # vl-convert raises ValueError with the JavaScript message
        return {"error": str(exc)}


def _answer(answers: TextIO, message: dict[str, Any]) -> None:
    answers.write(json.dumps(message) + "\n")
    answers.flush()


def main() -> None:
    """Answers go to a copy of stdout; stdout itself becomes stderr, so that anything the
    native code prints cannot break the protocol."""
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    serve(sys.argv[1], sys.argv[2:], sys.stdin, answers)


if __name__ == "__main__":
    main()
