"""Build the report in this directory (or the one given): ``python build.py [REPORT_DIR]``."""

import importlib.util
import sys
from pathlib import Path


def _start_charts_early():
    """The chart renderer's process, started before reportc is imported when the report
    has charts (reportc/charts/early.py, loaded by its path: it needs nothing of reportc)."""
    early = Path(__file__).resolve().parent / "reportc" / "charts" / "early.py"
    spec = importlib.util.spec_from_file_location("reportc_charts_early", early)
    if spec is None or spec.loader is None or not early.is_file():
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.spawn(sys.argv[1:])


if __name__ == "__main__":
    _early = _start_charts_early()

try:
    from reportc.charts.engine import adopt
    from reportc.commands.cli import main
except ModuleNotFoundError as missing:  # run with a Python that lacks the dependencies
    sys.exit(f"build.py: {sys.executable} cannot import '{missing.name}': run `make report` "
             "(it creates .venv with the dependencies), or `.venv/bin/python build.py`")

if __name__ == "__main__":
    adopt(_early)
    raise SystemExit(main())
