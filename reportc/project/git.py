"""The one way reportc runs git: it never takes the index lock (someone may be
committing in the same working tree), never prompts, and is bounded in time."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def run_git(cwd: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[bytes] | None:
    """git's result (bytes, any exit status), or ``None`` when git is not installed,
    cannot start or does not answer within ``timeout`` seconds."""
    git = shutil.which("git")
    if git is None:
        return None
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run([git, "-C", str(cwd), *args], capture_output=True,
                              timeout=timeout, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
