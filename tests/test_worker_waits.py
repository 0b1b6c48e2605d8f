"""Under -v the PDF workers say what they used and how long they waited for work
(reportc.pdf.waits): the idle core time of a layout, measured."""

from __future__ import annotations

import logging
import re
import time

from reportc.pdf.waits import Clock, used
from reportc.pdf.workers import DraftPool, Task


def _draft(payload):
    end = time.process_time() + 0.2  # CPU time, not sleep: the worker reports its CPU time
    while time.process_time() < end:
        pass
    return payload, payload


def _finish(kept, payload):
    return kept


def test_workers_report_cpu_time_and_waiting(caplog):
    with caplog.at_level(logging.DEBUG, logger="reportc"), \
            DraftPool(_draft, _finish, 2, bytes_per_process=100, total_bytes=20) as pool:
        # one part only: the second worker waits the whole time the first one works
        pool.run([Task("draft", "a", lambda: "a", 10)], lambda task, reply: [])
    lines = [r.getMessage() for r in caplog.records if "PDF workers' CPU time" in r.getMessage()]
    assert len(lines) == 1
    found = re.fullmatch(r"reportc: PDF workers' CPU time \(s\): ([\d.]+); "
                         r"waited for work \(s\): ([\d.]+) of ([\d.]+)", lines[0])
    assert found, lines[0]
    cpu, waited, span = map(float, found.groups())
    assert cpu >= 0.2 and waited < span  # only the worker that was sent work is counted
    assert any("PDF workers' peak memory (MB): " in r.getMessage() for r in caplog.records)


def test_clock_counts_what_each_worker_waited(monkeypatch, caplog):
    now = iter([0.0, 1.0, 3.0, 4.0])  # sent 0, sent 1, replied 0 at 3, replied 1 at 4
    monkeypatch.setattr(time, "monotonic", lambda: next(now))
    clock = Clock()
    clock.sent(0)
    clock.sent(1)
    clock.replied(0)
    clock.replied(1)
    clock.stopped(100, 2.5)
    clock.stopped(90, 2.0)
    with caplog.at_level(logging.DEBUG, logger="reportc"):
        clock.report()
    assert caplog.messages == [
        "reportc: PDF workers' peak memory (MB): 100, 90",
        "reportc: PDF workers' CPU time (s): 2.5, 2.0; waited for work (s): 1.0, 1.0 of 4.0"]


def test_used_is_this_process():
    peak, seconds = used()
    assert peak > 10 and seconds > 0


def test_the_pool_says_when_each_task_is_sent():
    """The build's thread waits for the first before writing the other editions
    (PdfEdition.begin): said as each task goes out, before its reply."""
    said: list[str] = []
    with DraftPool(_draft, _finish, 2, bytes_per_process=100, total_bytes=20,
                   sent=lambda: said.append("sent")) as pool:
        tasks = [Task("draft", name, lambda name=name: name, 10) for name in "abc"]
        pool.run(tasks, lambda task, reply: said.append("reply") or [])
    assert said[:2] == ["sent", "sent"] and said.count("sent") == 3
    assert all(said[:index].count("sent") > said[:index].count("reply")
               for index, word in enumerate(said) if word == "reply")


def test_an_edit_writes_the_other_editions_once_its_part_is_sent(tmp_path, monkeypatch):
    """The web edition is written after the PDF's first parts are sent to the workers,
    not while the layout thread is still getting them ready."""
    from conftest import build_root, copy_root

    from reportc.pdf import waits
    from reportc.web.html import HtmlEdition

    root = copy_root("basic", tmp_path)
    build_root(root, formats=["html", "pdf"], jobs=2)
    chapter = root / "chapters/01-intro.md"
    chapter.write_text(chapter.read_text() + "\nOne more sentence.\n")
    order: list[str] = []
    sent, write = waits.Clock.sent, HtmlEdition.write
    monkeypatch.setattr(waits.Clock, "sent", lambda self, worker: order.append("sent")
                        or sent(self, worker))
    monkeypatch.setattr(HtmlEdition, "write", lambda self, made, folder: order.append("html")
                        or write(self, made, folder))
    build_root(root, formats=["html", "pdf"], jobs=2)
    assert order[:2] == ["sent", "html"]  # (then the part is drawn)
