"""Every command and option of both command lines, and every CCHC_* environment variable, is documented in the
README."""
import argparse
import re
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


ROOT = Path(__file__).resolve().parent.parent
_PY_READ = re.compile(r"""(?:\benviron(?:\.get|\.setdefault|\.pop)?\s*[\[(]|\bgetenv\s*\()\s*["'](CCHC_[A-Z0-9_]+)["']"""
                      r"""|["'](CCHC_[A-Z0-9_]+)["']\s+(?:not\s+)?in\s+(?:os\.)?environ\b""")
_SH_READ = re.compile(r"\$\{?(CCHC_[A-Z0-9_]+)")


def environment_variables_read() -> dict[str, set[str]]:
    """{CCHC_* name: files that read it} in app.py, core/, dashboard/, loaders/, pages/ and scripts/*.sh."""
    files = [ROOT / "app.py", *ROOT.joinpath("scripts").glob("*.sh")]
    files += [f for d in ("core", "dashboard", "loaders", "pages") for f in sorted(ROOT.joinpath(d).rglob("*.py"))]
    found: dict[str, set[str]] = {}
    for f in files:
        pattern = _SH_READ if f.suffix == ".sh" else _PY_READ
        for m in pattern.finditer(f.read_text(encoding="utf-8")):
            found.setdefault(next(g for g in m.groups() if g), set()).add(str(f.relative_to(ROOT)))
    return found


def test_every_environment_variable_is_documented():
    """Each CCHC_* variable the code or the scripts read has its row in README's "Settings" table."""
    found = environment_variables_read()
    assert {"CCHC_DB", "CCHC_OPEN_READ", "CCHC_ORG", "CCHC_USER", "CCHC_MAX_UPLOAD_MB"} <= set(found), found
    settings = README.split("## Settings (environment variables)", 1)[-1].split("\n## ", 1)[0]
    rows = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", settings, flags=re.M))
    missing = {name: sorted(where) for name, where in found.items() if name not in rows}
    assert not missing, f"read from the environment but not in README.md's Settings table: {missing}"
