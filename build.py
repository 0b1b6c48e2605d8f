"""Build the report in this directory (or the one given): ``python build.py [REPORT_DIR]``."""

import sys

if __name__ == "__main__":
    # the standard library only: the chart renderer starts before the build is imported
    from reportc.charts.early import spawn
    from reportc.commands.entry import command

    _early = spawn(sys.argv[1:])
    try:
        main = command(_early)
    except ModuleNotFoundError as missing:  # run with a Python that lacks the dependencies
        sys.exit(f"build.py: {sys.executable} cannot import '{missing.name}': run `make "
                 "report` (it creates .venv with the dependencies), or `.venv/bin/python "
                 "build.py`")
    raise SystemExit(main())
