"""Build the report in this directory (or the one given): ``python build.py [REPORT_DIR]``."""

from reportc.commands.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
