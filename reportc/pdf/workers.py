"""Worker processes that lay out parts and keep them until their page numbers are known.

Laying out a part is most of a build's time, and parts can be laid out side by side: each
starts on a new page. But a part cannot be *drawn* until the parts in front of it have
been laid out, because only then are its folios and page references known. So a worker
lays out a part, reports its page count and anchors, and keeps the laid-out document in
memory; as soon as the parts that part's numbers depend on are laid out, the parent asks
the same worker to draw it with its real numbers (:mod:`reportc.pdf.compat.restamp`).

At most ``workers`` processes compute at once (one per core by default). More processes
than that may be started only to spread the laid-out parts that wait in memory, so that
no process holds more than about ``bytes_per_process`` of part HTML; they are given work
only when the others are that full.

The workers are forked by a :class:`Zygote`, a process the build forks at its start, when
it is small: a worker then starts at the zygote's size (WeasyPrint warmed up, about
100 MB) instead of the build's by the PDF stage (270 MB with the chapters of a 500-page
report in memory), which is what kept a worker of that report above 400 MB (#25 item 1).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import connection, get_context, reduction
from typing import Any

from reportc.pdf.waits import Clock, used

log = logging.getLogger("reportc")


class WorkerCrashed(RuntimeError):
    """A worker raised or died; carries its traceback."""


@dataclass(frozen=True)
class Task:
    kind: str  # "draft" (lay out, keep) or "finish" (draw a kept draft)
    name: str
    payload: Callable[[], Any]  # called when the task is sent: it can use earlier replies
    size: int = 0  # bytes of HTML a draft keeps in memory
    defer: Callable[[], bool] | None = None  # True: send other tasks first, if any can go


def serve(conn: connection.Connection, draft: Callable[[Any], tuple[Any, Any]],
          finish: Callable[[Any, Any], Any]) -> None:
    """A worker's loop: keeps its drafts by name; replies with plain data only."""
    kept: dict[str, Any] = {}
    while True:
        try:
            kind, name, payload = conn.recv()
        except EOFError:
            return
        try:
            if kind == "stop":
                conn.send(("ok", used()))
                return
            if kind == "drop":
                kept.pop(name, None)
                continue
            if kind == "draft":
                kept[name], reply = draft(payload)
            else:
                reply = finish(kept.pop(name), payload)
            conn.send(("ok", reply))
        except BaseException:
            conn.send(("error", traceback.format_exc()))


# This process's ends of the pipes to its zygote and errand processes. A helper forked
# after another would keep that one's pipe open (and each its own build-side end): killed,
# the build would leave them waiting for ever. Each closes its copies first (_forked).
_HELD: list[connection.Connection] = []


def _forked() -> None:
    """In a helper just forked: close its copies of the build's ends of the helpers'
    pipes, so that each sees its pipe close when the build ends, even killed; leave
    Ctrl-C to the build (the terminal sends it to every process of the build, and the
    build stopping closes the pipes), so a helper never prints its own traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for conn in _HELD:
        conn.close()
    _HELD.clear()


def _serve_apart(conn: connection.Connection, draft: Callable, finish: Callable) -> None:
    """:func:`serve` in a worker forked from the build itself (no zygote), set up as every
    helper is (:func:`_forked`)."""
    _forked()
    serve(conn, draft, finish)


class Zygote:
    """A process forked while the build is small that forks the layout workers on request.

    It runs ``prepare`` first (WeasyPrint imported and warmed up in the theme), so each
    worker starts with those caches, and at its size; ``draft`` and ``finish`` are the
    workers' functions (:func:`serve`). It forks from its only thread, so no lock another
    thread held at the time is left locked in a worker. A worker is its child: the zygote
    waits for it, so its peak memory is counted in this process's ``RUSAGE_CHILDREN``
    once the zygote is closed."""

    def __init__(self, prepare: Callable[[], object], draft: Callable, finish: Callable
                 ) -> None:
        context = get_context("fork")
        self._conn, child = context.Pipe()  # a socket pair: it can carry a worker's pipe
        _HELD.append(self._conn)
        self._process = context.Process(target=_zygote, args=(child, prepare, draft, finish),
                                        daemon=True, name="reportc-pdf-zygote")
        self._process.start()
        child.close()
        self._prepared: bool = False
        self._result: object = None

    def prepared(self) -> object:
        """What ``prepare`` returned (``None`` if it raised); waits for it."""
        if not self._prepared:
            self._result = self._conn.recv()
            self._prepared = True
        return self._result

    def fork(self) -> tuple[connection.Connection, int]:
        """A new worker's pipe and process id (once ``prepare`` has run)."""
        self.prepared()
        self._conn.send("fork")
        pipe = connection.Connection(reduction.recv_handle(self._conn))
        return pipe, self._conn.recv()

    def close(self) -> None:
        """Stop the zygote once the workers it forked have ended (they end when their
        pipes close); one that forked none is stopped at once, not after its warm-up."""
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        _closed(self._conn)
        self._process.join(timeout=10 if self._prepared else 0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _zygote(conn: connection.Connection, prepare: Callable[[], object], draft: Callable,
            finish: Callable) -> None:
    """The zygote's loop: fork a worker for each "fork", hand its pipe over; on "stop" or
    when the build's end of the pipe closes, wait for the workers and end."""
    _forked()
    prepared = None
    with contextlib.suppress(Exception):  # only a head start: the workers' layouts report
        prepared = prepare()
    children: list[int] = []
    # OSError: the build ended before it needed a worker (failed early, was stopped)
    with contextlib.suppress(OSError):
        conn.send(prepared)
        _fork_on_request(conn, draft, finish, children)
    for pid in children:
        os.waitpid(pid, 0)


def _fork_on_request(conn: connection.Connection, draft: Callable, finish: Callable,
                     children: list[int]) -> None:
    """Fork a worker for each "fork" the build sends, and hand it its pipe, until "stop"
    or the build's end of the pipe closes (``children``: the workers forked)."""
    while True:
        try:
            if conn.recv() != "fork":
                break
        except EOFError:
            break
        parent, child = get_context("fork").Pipe()
        pid = os.fork()
        if pid == 0:  # the worker: it holds no pipe but its own
            try:
                conn.close()
                parent.close()
                serve(child, draft, finish)
            finally:
                os._exit(0)
        child.close()
        children.append(pid)
        try:
            reduction.send_handle(conn, parent.fileno(), os.getppid())
            conn.send(pid)
        finally:  # the worker ends when its pipe closes, whether handed over or not
            parent.close()


class Errand:
    """A process forked while the build is small (45 MB) that runs calls it is sent later:
    the PDF's merge, whose pikepdf objects take 320 MB for a 500-page report (one qpdf
    object per structure element, in the parts and in the merged PDF). Run in the build's
    own process, which holds the chapters by then, that made it the largest (560 MB)."""

    def __init__(self, name: str) -> None:
        context = get_context("fork")
        self._conn, child = context.Pipe()
        _HELD.append(self._conn)
        self._process = context.Process(target=_errand, args=(child,), daemon=True,
                                        name=f"reportc-{name}")
        self._process.start()
        child.close()
        self.name = name
        self._posted = 0  # calls posted whose replies are still to be read

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in the process; arguments and result cross by pickling."""
        self._conn.send((function, args))
        try:
            self._read_posted()
            status, reply = self._conn.recv()
        except EOFError as error:
            raise WorkerCrashed(f"the {self.name} process died") from error
        if status != "ok":
            raise WorkerCrashed(f"the {self.name} process failed:\n{reply}")
        return reply

    def post(self, function: Callable[..., Any], *args: Any) -> None:
        """Start ``function(*args)`` in the process and go on: a head start on a later
        :meth:`call` (the merge opening the last PDF while parts are laid out), whose
        result is not wanted. A failure is only logged: the call it prepares does the
        work itself then, and reports what fails."""
        self._conn.send((function, args))
        self._posted += 1

    def _read_posted(self) -> None:
        """Read the replies to the calls posted before (they come first, in order)."""
        while self._posted:
            self._posted -= 1
            status, reply = self._conn.recv()
            if status != "ok":
                log.debug("reportc: a head start in the %s process failed:\n%s", self.name,
                          reply)

    def close(self) -> None:
        """End the process; under -v, say how much memory it needed at most."""
        with contextlib.suppress(OSError, EOFError):
            self._read_posted()
            self._conn.send(None)
            if self._conn.poll(10):
                log.debug("reportc: %s process's peak memory (MB): %s", self.name,
                          self._conn.recv())
        _closed(self._conn)
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _closed(conn: connection.Connection) -> None:
    """Close this process's end of a helper's pipe (and forget it)."""
    if conn in _HELD:
        _HELD.remove(conn)
    conn.close()


def _errand(conn: connection.Connection) -> None:
    _forked()
    with contextlib.suppress(OSError):  # the build ended and closed its end: nothing to say
        _run_errands(conn)


def _run_errands(conn: connection.Connection) -> None:
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            conn.send(used()[0])
            return
        function, args = message
        try:
            conn.send(("ok", function(*args)))
        except BaseException:
            conn.send(("error", traceback.format_exc()))


class DraftPool:
    """Runs draft/finish tasks; ``finish`` goes to the process that keeps the draft.
    The worker processes are forked by ``zygote`` if given (with its own ``draft`` and
    ``finish``), else from this process."""

    def __init__(self, draft: Callable, finish: Callable, workers: int,
                 bytes_per_process: int, total_bytes: int, zygote: Zygote | None = None,
                 sent: Callable[[], None] | None = None) -> None:
        self._draft, self._finish = draft, finish
        self.workers = max(1, workers)
        self._apart = self.workers > 1  # else the tasks run in this process
        self._limit = bytes_per_process
        self._zygote = zygote
        # the processes it may start, each once a task goes to it (an edit's part: one)
        wanted = max(self.workers, -(-total_bytes // max(1, bytes_per_process)))
        self._processes: list = []  # a Process forked here, or a zygote's worker's pid
        self._conns: list = []
        self._held: list[int] = [0] * (wanted if self._apart else 0)
        self._owner: dict[str, int] = {}
        self._sizes: dict[str, int] = {}
        self._local: dict[str, Any] = {}  # drafts kept in this process (workers == 1)
        self._clock = Clock(sent)  # ``sent``: called as each task is sent

    def _start(self, worker: int) -> None:
        """Start the processes up to number ``worker``, in order."""
        while len(self._conns) <= worker:
            if self._zygote is not None:
                parent, pid = self._zygote.fork()
                self._processes.append(pid)
            else:
                context = get_context("fork")
                parent, child = context.Pipe()
                process = context.Process(target=_serve_apart,
                                          args=(child, self._draft, self._finish), daemon=True)
                process.start()
                child.close()
                self._processes.append(process)
            self._conns.append(parent)

    @property
    def processes(self) -> int:
        return len(self._processes) or 1

    def run(self, tasks: list[Task],
            on_reply: Callable[[Task, Any], list[Task] | None]) -> None:
        """Run ``tasks`` in order, at most ``workers`` at once.

        ``on_reply`` sees each reply as it arrives and returns tasks to run next (ahead of
        the waiting ones), or ``None`` to send nothing more."""
        waiting = deque(tasks)
        if not self._apart:
            while waiting:
                task = waiting.popleft()
                more = on_reply(task, self._run_here(task))
                if more is None:
                    return
                waiting.extendleft(reversed(more))
            return
        busy: dict[int, Task] = {}
        stopped = False
        while (waiting and not stopped) or busy:
            while len(busy) < self.workers and not stopped:
                found = self._next(waiting, busy)
                if found is None:
                    break
                index, worker = found
                task = busy[worker] = waiting[index]
                del waiting[index]
                self._start(worker)
                self._conns[worker].send((task.kind, task.name, task.payload()))
                self._clock.sent(worker)
            for conn in connection.wait([self._conns[w] for w in busy]):
                worker = self._conns.index(conn)
                self._clock.replied(worker)
                task = busy.pop(worker)
                more = on_reply(task, self._receive(worker, task))
                if more is None:
                    stopped = True
                else:
                    waiting.extendleft(reversed(more))

    def drop(self, name: str) -> None:
        """Forget a kept draft (it will be laid out again)."""
        self._local.pop(name, None)
        worker = self._owner.pop(name, None)
        if worker is not None:
            self._held[worker] -= self._sizes.pop(name, 0)
            self._conns[worker].send(("drop", name, None))

    def close(self) -> None:
        """Stop the workers; under -v, say what each used (:class:`~reportc.pdf.waits.Clock`)."""
        for conn, process in zip(self._conns, self._processes, strict=True):
            stopped = False
            with contextlib.suppress(OSError, EOFError):
                conn.send(("stop", "", None))
                if conn.poll(10):
                    self._clock.stopped(*conn.recv()[1])
                    stopped = True
            conn.close()
            if isinstance(process, int):  # the zygote's child: the zygote waits for it
                if not stopped:
                    with contextlib.suppress(OSError):
                        os.kill(process, signal.SIGKILL)
                continue
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        self._clock.report()
        self._processes.clear()
        self._conns.clear()

    def __enter__(self) -> DraftPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run_here(self, task: Task) -> Any:
        if task.kind == "draft":
            self._local[task.name], reply = self._draft(task.payload())
            return reply
        return self._finish(self._local.pop(task.name), task.payload())

    def _next(self, waiting: deque[Task], busy: dict[int, Task]) -> tuple[int, int] | None:
        """The index of the first waiting task a process can take now, and that process:
        a task that asks to be deferred only if no other can go, so a worker never idles
        for it."""
        deferred = None
        for index, task in enumerate(waiting):
            worker = self._pick(task, busy)
            if worker is None:
                continue
            if task.defer is None or not task.defer():
                return index, worker
            deferred = deferred or (index, worker)
        return deferred

    def _pick(self, task: Task, busy: dict[int, Task]) -> int | None:
        if task.kind == "finish":
            owner = self._owner[task.name]
            return None if owner in busy else owner
        idle = [w for w in range(len(self._held)) if w not in busy]  # started or not
        if not idle:
            return None
        # The process holding least, so that the parts it must still draw (each by the
        # process that keeps it) end up spread; spare processes only take the overflow,
        # since a process's first layout pays for warming its caches.
        roomy = [w for w in idle if self._held[w] + task.size <= self._limit]
        if roomy:
            return min(roomy, key=lambda w: (w >= self.workers, self._held[w], w))
        return min(idle, key=lambda w: (self._held[w], w))

    def _receive(self, worker: int, task: Task) -> Any:
        try:
            status, reply = self._conns[worker].recv()
        except EOFError as error:
            raise WorkerCrashed(f"PDF worker {worker} died while on {task.name}") from error
        if status != "ok":
            raise WorkerCrashed(f"PDF worker failed on {task.name}:\n{reply}")
        if task.kind == "draft":
            self._owner[task.name] = worker
            self._sizes[task.name] = task.size
            self._held[worker] += task.size
        else:
            self._owner.pop(task.name, None)
            self._held[worker] -= self._sizes.pop(task.name, 0)
        return reply
