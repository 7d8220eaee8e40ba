"""Subcommands registered by the modules that implement them: each entry is add_commands(subparsers)."""
COMMANDS: list = []

from loaders.users import add_commands as _user_commands  # noqa: E402

COMMANDS.append(_user_commands)

from loaders.load_command import add_commands as _load_commands  # noqa: E402

COMMANDS.append(_load_commands)

from loaders.plans.command import add_plan_command as _plan_command  # noqa: E402

COMMANDS.append(_plan_command)
