"""The theme's templates compiled once, kept in the build cache.

Jinja2 compiles a template to Python each time a process loads it: the default theme's page
and the six templates it includes took about 0.05 s of CPU in every build, on the way to the
PDF's layout (the print page is rendered before its parts are laid out). Jinja2's own
bytecode cache keeps the compiled code; here it lives in the build cache
(``out/.reportc-cache``), keyed by the template's name, its source's checksum and Jinja2's
and Python's versions (Jinja2 checks those two itself, and reads nothing it did not write),
so a changed template is compiled again and ``--no-cache`` compiles every time. The page
rendered is the same either way: only where its code comes from differs.
"""

from __future__ import annotations

from typing import Any

from reportc.cache import BuildCache, digest, tool_versions

KIND = "template"  # the build cache's kind for a compiled template


def compiled_templates(cache: BuildCache | None) -> Any:
    """A Jinja2 bytecode cache in ``cache`` (``None``: no cache, compile every time)."""
    if cache is None or not cache.enabled:
        return None
    import jinja2

    kept: BuildCache = cache

    class _Compiled(jinja2.BytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            data = kept.get_bytes(KIND, _key(bucket))
            if data is not None:
                bucket.bytecode_from_string(data)

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            kept.put_bytes(KIND, _key(bucket), bucket.bytecode_to_string())

    return _Compiled()


def _key(bucket: Any) -> str:
    return digest(bucket.key, bucket.checksum, tool_versions())
