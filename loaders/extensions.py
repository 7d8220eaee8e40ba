"""Subcommands registered by the modules that implement them: each entry is add_commands(subparsers)."""
COMMANDS: list = []

from .users import add_commands as _user_commands  # noqa: E402

COMMANDS.append(_user_commands)
