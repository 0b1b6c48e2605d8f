"""Helpers for the trust tests: a trap HTTP server, a canary file, and output scanning."""

from __future__ import annotations

import contextlib
import re
import secrets
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class TrapServer:
    """An HTTP server on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.connections: list[str] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                trap.connections.append(f"connection from {self.client_address[0]}")
                super().setup()

            def do_GET(self) -> None:
                trap.connections.append(f"{self.command} {self.path}")
                self.send_error(404)

            do_HEAD = do_POST = do_PUT = do_OPTIONS = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_canary(folder: Path) -> tuple[Path, bytes]:
    """A file outside every report, holding a secret that must never reach an output."""
    token = f"CANARY-{secrets.token_hex(12)}".encode("ascii")
    path = folder / "canary.txt"
    path.write_bytes(b"do not publish: " + token + b"\n")
    return path, token


def pdf_streams(data: bytes) -> Iterator[bytes]:
    """Every stream of a PDF, inflated when it is Flate-compressed (attachments included)."""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1)
        yield raw
        with contextlib.suppress(zlib.error):
            yield zlib.decompressobj().decompress(raw)


def files_containing(folder: Path, token: bytes) -> list[Path]:
    """Files under ``folder`` whose bytes, or whose inflated PDF streams, contain ``token``."""
    found = []
    if not folder.exists():
        return found
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        if token in data or any(token in stream for stream in pdf_streams(data)):
            found.append(path)
    return found
