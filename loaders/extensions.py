"""Subcommands registered by the modules that implement them: each entry is add_commands(subparsers)."""
COMMANDS: list = []
