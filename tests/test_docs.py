"""Every command and option of both command lines is documented in the README."""
import argparse
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def walk(parser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prefix + (name,), None
                yield from walk(sub, prefix + (name,))
        elif action.option_strings and action.dest != "help":
            yield prefix, max(action.option_strings, key=len)


def parsers():
    from dashboard.cli import build_parser as dashboard_parser
    from loaders.cli import build_parser as loaders_parser

    return [("python -m loaders", loaders_parser()), ("python -m dashboard", dashboard_parser())]


@pytest.mark.parametrize("program, parser", parsers(), ids=["loaders", "dashboard"])
def test_every_command_and_option_is_in_the_readme(program, parser):
    missing = []
    for path, option in walk(parser):
        command = " ".join(path)
        if option is None and f"{program} {path[0]}" not in README and f"`{command}" not in README:
            missing.append(command)
        if option is not None and option not in README:
            missing.append(f"{command} {option}")
    assert not missing, f"undocumented in README.md: {missing}"
