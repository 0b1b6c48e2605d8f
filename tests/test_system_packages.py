"""One list of Debian packages (reportc/system-packages.txt): `make report` installs the
missing ones as root, and otherwise stops before building with the one command to run."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import REPO

LIST = REPO / "reportc/system-packages.txt"


def packages() -> list[str]:
    return [line.strip() for line in LIST.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian system")
def test_a_missing_package_stops_a_non_root_user_with_the_command_to_run(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "reportc").mkdir()
    shutil.copy2(REPO / "scripts/system-packages", tmp_path / "scripts")
    (tmp_path / "reportc/system-packages.txt").write_text(
        "# a comment\nreportc-no-such-package\n" + packages()[0] + "\n")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 1000\n")  # not root
    (fake / "id").chmod(0o755)
    done = subprocess.run([str(tmp_path / "scripts/system-packages")], capture_output=True,
                          text=True, env={"PATH": f"{fake}:/usr/bin:/bin"}, timeout=60,
                          check=False)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert "    sudo apt-get install -y --no-install-recommends reportc-no-such-package" in lines
    assert packages()[0] not in done.stderr  # installed here: not asked for


def test_make_checks_the_system_before_building():
    dry = subprocess.run(["make", "-n", "-W", "pyproject.toml", "report"], cwd=REPO,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert dry.index("scripts/system-packages") < dry.index("pip install") < \
        dry.index("build.py")


def test_every_install_path_uses_the_one_list():
    for name in ("Makefile", ".ci/run", ".github/workflows/release.yml"):
        text = (REPO / name).read_text()
        assert "scripts/system-packages" in text, name
        assert "fonts-noto-cjk" not in text, f"{name} keeps a list of its own"
    assert {"libpango-1.0-0", "fonts-noto-cjk", "libharfbuzz-subset0"} <= set(packages())
