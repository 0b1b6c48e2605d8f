"""Output safety: artifacts appear in ``out/`` all together or not at all.

Everything is written into a staging folder inside the output folder (same
filesystem, so each move is an atomic rename); a failure anywhere leaves the
previous artifacts untouched and removes the staging folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STAGE_PREFIX = ".reportc-stage-"


@dataclass
class Stage:
    path: Path
    out_dir: Path

    def commit(self) -> list[Path]:
        """Move staged files into the output folder; each move is an atomic rename."""
        outputs = []
        for source in sorted(p for p in self.path.rglob("*") if p.is_file()):
            target = self.out_dir / source.relative_to(self.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            outputs.append(target)
        return outputs


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Stage]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=out_dir))
    try:
        yield Stage(stage, out_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
