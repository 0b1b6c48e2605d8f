"""What WeasyPrint may load: ``data:`` URLs and regular files under allowed folders.

WeasyPrint's default fetcher embeds any readable file and fetches remote URLs,
so a chapter could pull a file of the build machine into a release. Everything
a layout loads goes through :class:`SandboxFetcher` instead.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_RESOURCE_BYTES = 50 * 1024 * 1024


class SandboxFetcher(URLFetcher):
    """Serves ``data:`` URLs and regular files under the allowed folders; refuses the rest."""

    def __init__(self, allowed: list[Path]):
        super().__init__(allowed_protocols={"data", "file"})
        self.allowed = [path.resolve() for path in allowed]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._allowed_file(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"refused to load {url} (outside the report directory)")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    def _allowed_file(self, url: str) -> Path | None:
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parsed.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.allowed):
            return None
        if not path.is_file() or path.stat().st_size > MAX_RESOURCE_BYTES:
            return None
        return path
