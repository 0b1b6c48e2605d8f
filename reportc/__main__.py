from reportc.commands.cli import main

raise SystemExit(main())
