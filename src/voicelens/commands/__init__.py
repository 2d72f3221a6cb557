"""One module per ``voicelens`` sub-command: ``add_parser(subparsers)`` and ``run(args)``."""
