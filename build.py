"""Build the report in this directory (or the one given): ``python build.py [REPORT_DIR]``."""

import sys

try:
    from reportc.commands.cli import main
except ModuleNotFoundError as missing:  # run with a Python that lacks the dependencies
    sys.exit(f"build.py: {sys.executable} cannot import '{missing.name}': run `make report` "
             "(it creates .venv with the dependencies), or `.venv/bin/python build.py`")

if __name__ == "__main__":
    raise SystemExit(main())
