from reportc.commands.entry import main

raise SystemExit(main())
