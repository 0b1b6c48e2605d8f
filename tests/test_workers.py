"""The PDF worker pool: drafts stay in the process that made them; failures are loud."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reportc.pdf.workers import DraftPool, Task, WorkerCrashed, Zygote


def _draft(payload):
    if payload == "boom":
        raise ValueError("a layout failed")
    return (payload, os.getpid()), (payload.upper(), os.getpid())


def _finish(kept, payload):
    text, pid = kept
    return f"{text}{payload}", pid, os.getpid()


def _constant(value):
    return lambda: value


@pytest.mark.parametrize("workers", [1, 2])
def test_each_draft_is_finished_by_the_process_that_keeps_it(workers):
    finished = {}

    def on_reply(task, reply):
        if task.kind == "draft":
            return [Task("finish", task.name, _constant("!"))]
        finished[task.name] = reply
        return []

    with DraftPool(_draft, _finish, workers, bytes_per_process=10, total_bytes=40) as pool:
        tasks = [Task("draft", name, _constant(name), 10) for name in "abcd"]
        pool.run(tasks, on_reply)
        assert pool.processes == (4 if workers == 2 else 1)  # 40 bytes at 10 per process
    assert {name: text for name, (text, _, _) in finished.items()} == {
        "a": "a!", "b": "b!", "c": "c!", "d": "d!"}
    assert all(drafted_in == finished_in for _, drafted_in, finished_in in finished.values())
    if workers == 2:
        assert len({pid for _, pid, _ in finished.values()}) > 1, "work was spread"


def test_spare_processes_take_only_the_drafts_others_have_no_room_for():
    drafted_in = {}

    def on_reply(task, reply):
        if task.kind == "draft":
            drafted_in[task.name] = reply[1]
            return [Task("finish", task.name, _constant("!"))] if task.name < "e" else []
        return []

    with DraftPool(_draft, _finish, 2, bytes_per_process=20, total_bytes=80) as pool:
        assert pool.processes == 4
        pool.run([Task("draft", name, _constant(name), 10) for name in "abcd"], on_reply)
        warm = set(drafted_in.values())
        assert len(warm) == 2, "drafts finished at once: two processes suffice"
        pool.run([Task("draft", name, _constant(name), 10) for name in "efghij"], on_reply)
        kept = [drafted_in[name] for name in "efghij"]
        assert all(kept.count(pid) <= 2 for pid in kept), "20 bytes at most per process"
        assert set(kept) - warm, "what the warm processes have no room for overflows"


def test_a_failing_worker_raises_with_its_traceback():
    with DraftPool(_draft, _finish, 2, bytes_per_process=100, total_bytes=10) as pool, \
            pytest.raises(WorkerCrashed, match="a layout failed"):
        pool.run([Task("draft", "x", _constant("boom"))], lambda task, reply: [])


def test_a_reply_of_none_stops_sending_work():
    seen = []

    def on_reply(task, reply):
        seen.append(task.name)
        return None

    with DraftPool(_draft, _finish, 2, bytes_per_process=100, total_bytes=10) as pool:
        pool.run([Task("draft", name, _constant(name)) for name in "abcdef"], on_reply)
    assert 1 <= len(seen) <= 2, "only the tasks already sent finish"


def test_a_deferred_draft_lets_the_others_go_first_but_never_leaves_a_worker_idle():
    sent = []
    uncertain = {"b"}  # b's numbers are known once c is laid out

    def on_reply(task, reply):
        sent.append(task.name)
        if task.name == "c":
            uncertain.discard("b")
        return []

    with DraftPool(_draft, _finish, 2, bytes_per_process=100, total_bytes=10) as pool:
        tasks = [Task("draft", name, _constant(name), 1, lambda n=name: n in uncertain)
                 for name in "abcd"]
        pool.workers = 1  # one at a time: the order they are sent in is the order of replies
        pool.run(tasks, on_reply)
    assert sent == ["a", "c", "b", "d"], "b waited only while it was uncertain"

    sent.clear()
    uncertain.update("abcd")
    with DraftPool(_draft, _finish, 2, bytes_per_process=100, total_bytes=10) as pool:
        pool.workers = 1
        pool.run([Task("draft", name, _constant(name), 1, lambda n=name: n in uncertain)
                  for name in "abcd"], lambda task, reply: sent.append(task.name) or [])
    assert sent == ["a", "b", "c", "d"], "all deferred: taken in order, none left waiting"

    sent.clear()
    uncertain.clear()
    uncertain.update("ab")
    with DraftPool(_draft, _finish, 2, bytes_per_process=100, total_bytes=10) as pool:
        pool.workers = 1
        pool.run([Task("draft", name, _constant(name), 1, lambda n=name: n in uncertain)
                  for name in "abcd"], lambda task, reply: sent.append(task.name) or [])
    assert sent == ["c", "d", "a", "b"]


def test_the_warm_up_loads_the_hyphenation_patterns_workers_would_load_again(tmp_path):
    """Forked workers inherit what the warm-up loaded: the report language's hyphenation
    patterns too, which WeasyPrint loads only for the first word it must break."""
    import pyphen

    from reportc.pdf.layout import warm_up

    repo = Path(__file__).resolve().parent.parent
    sheets = [repo / "templates" / "css" / name for name in ("base.css", "print.css")]
    patterns = pyphen.LANGUAGES[pyphen.language_fallback("nl-NL")]
    pyphen.hdcache.pop(patterns, None)
    warm_up(sheets, tmp_path, [tmp_path, repo / "templates"], "nl-NL")
    assert patterns in pyphen.hdcache


_PREPARED: list[int] = []


def _prepare():
    _PREPARED.append(os.getpid())


def _draft_with_parent(payload):
    return payload, (os.getppid(), list(_PREPARED))


def test_a_zygote_forks_the_workers_after_its_warm_up():
    zygote = Zygote(_prepare, _draft_with_parent, _finish)
    replies = {}
    try:
        with DraftPool(None, None, 2, bytes_per_process=10, total_bytes=30,
                       zygote=zygote) as pool:
            assert pool.processes == 3
            pool.run([Task("draft", name, _constant(name), 10) for name in "abc"],
                     lambda task, reply: replies.update({task.name: reply}) or [])
    finally:
        zygote.close()
    assert not _PREPARED, "the warm-up ran in the zygote, not here"
    parents = {parent for parent, _ in replies.values()}
    assert len(parents) == 1 and os.getpid() not in parents, "forked by the zygote"
    assert all(prepared == list(parents) for _, prepared in replies.values()), \
        "each worker starts with what the zygote prepared"


def _slow_warm_up():
    import time

    time.sleep(0.5)


def test_a_zygote_whose_build_ended_during_its_warm_up_ends_without_a_word(capfd):
    """A build that fails before its PDF is laid out (a located error in a chapter)
    closes its end while the zygote still warms up: the zygote ends quietly, without the
    traceback of a broken pipe on the build's stderr."""
    zygote = Zygote(_slow_warm_up, _draft, _finish)
    zygote.close()
    assert not zygote._process.is_alive()
    assert "Traceback" not in capfd.readouterr().err


def _interrupt_handling():
    import signal

    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def _draft_interrupt_handling(payload):
    return payload, _interrupt_handling()


def test_ctrl_c_is_left_to_the_build_in_every_helper_process():
    """The terminal sends Ctrl-C to every process of the build: the zygote, the workers
    (forked by it or by the build) ignore it, and end when the stopping build closes
    their pipes; each printed its own KeyboardInterrupt traceback before."""
    import signal

    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    zygote = Zygote(_interrupt_handling, _draft_interrupt_handling, _finish)
    try:
        assert zygote.prepared() is True, "the zygote ignores Ctrl-C"
        for pool_zygote in (zygote, None):
            replies: dict[str, bool] = {}
            keep = replies.update
            with DraftPool(_draft_interrupt_handling, _finish, 2, bytes_per_process=10,
                           total_bytes=20, zygote=pool_zygote) as pool:
                pool.run([Task("draft", name, _constant(name), 10) for name in "ab"],
                         lambda task, reply, keep=keep: keep({task.name: reply}) or [])
            assert replies == {"a": True, "b": True}, "so do the workers"
    finally:
        zygote.close()
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN, "the build's own is kept"
