"""Architecture rules of issue 15, checked on the source with `ast` only.

The project's modules are never imported here: the rules read the files, so the
test is fast and no import side effect can hide a violation.

Layers (see the `## Architecture` section of README.md):
  core/       shared rules; imports only the standard library and third-party packages
  loaders/    write side; never the read side (dashboard, pages, app) nor streamlit
  dashboard/  read side; never pages nor app
  pages/      Streamlit pages; only dashboard, core and the write door loaders.api
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The project's own modules (the import graph is built over these).
PROJECT_ROOTS = ("app", "core", "dashboard", "loaders", "pages")
# Folders never scanned for packages or local names.
SKIPPED_DIRS = {".venv", ".git", "tests", "bench", "data", "node_modules", "__pycache__"}
WRITE_DOOR = "loaders.api"

SQL_PATTERNS = [
    re.compile(r"\bSELECT\b.*?\bFROM\b", re.DOTALL),
    re.compile(r"\bINSERT INTO\b"),
    re.compile(r"\bUPDATE\b\s+\w+\s+SET\b"),
    re.compile(r"\bDELETE FROM\b"),
    re.compile(r"\bCREATE (TABLE|VIEW|INDEX)\b"),
]
SQL_CALL_ATTRS = {"execute", "executemany", "sql", "cursor"}


# ---------------------------------------------------------------- helpers


def rel(path: Path) -> str:
    """The path relative to the repo root, with forward slashes."""
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    """The dotted module name of a .py file of the repo (`a/b/__init__.py` -> `a.b`)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_skipped(path: Path) -> bool:
    """True when the path lies in a folder the rules do not look at."""
    return any(part in SKIPPED_DIRS or part.startswith(".") for part in path.relative_to(ROOT).parts[:-1])


def project_modules() -> dict[str, Path]:
    """Every module of app, core, dashboard, loaders and pages, by dotted name."""
    modules = {}
    for top in PROJECT_ROOTS:
        single = ROOT / f"{top}.py"
        if single.is_file():
            modules[top] = single
        folder = ROOT / top
        if folder.is_dir():
            for path in sorted(folder.rglob("*.py")):
                if not is_skipped(path):
                    modules[module_name(path)] = path
    return modules


def local_top_names() -> set[str]:
    """Top-level names that are the repo's own code rather than stdlib or third-party packages."""
    names = {p.stem for p in ROOT.glob("*.py")}
    for d in ROOT.iterdir():
        if d.is_dir() and d.name not in {".venv", ".git", "node_modules", "__pycache__"} and not d.name.startswith("."):
            if any(d.glob("*.py")) or any(d.glob("*/__init__.py")):
                names.add(d.name)
    return names | set(PROJECT_ROOTS)


def is_submodule(dotted: str) -> bool:
    """True when `dotted` names a module or package file of the repo."""
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def is_type_checking(test: ast.expr) -> bool:
    """True for the condition of `if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:`."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def walk_statements(tree: ast.AST, include_functions: bool):
    """Yield the nodes of a tree; without include_functions, skip function bodies and `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if not include_functions:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(node, ast.If) and is_type_checking(node.test):
                stack.extend(reversed(node.orelse))
                continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def resolve_from(current: str, is_package: bool, module: str | None, level: int) -> str:
    """The absolute module named by `from <level dots><module> import ...` written in `current`."""
    if level == 0:
        return module or ""
    package = current.split(".") if is_package else current.split(".")[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join(base + ([module] if module else []))


def imports_of(path: Path, include_functions: bool) -> list[tuple[int, str, str]]:
    """(line, statement as written, imported module) for each module an import in the file names.

    `from pkg import name` counts as an import of `pkg.name` when that is a module of the repo,
    else of `pkg`. With include_functions, imports in functions and under TYPE_CHECKING count too,
    as do `importlib.import_module("x")` / `__import__("x")` with a literal name.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    current = module_name(path)
    is_package = path.name == "__init__.py"
    found = []
    for node in walk_statements(tree, include_functions):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((node.lineno, f"import {alias.name}", alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = resolve_from(current, is_package, node.module, node.level)
            written = "." * node.level + (node.module or "")
            by_target: dict[str, list[str]] = {}
            for alias in node.names:
                candidate = f"{base}.{alias.name}" if base else alias.name
                target = candidate if alias.name != "*" and is_submodule(candidate) else base
                by_target.setdefault(target, []).append(alias.name)
            for target, names in by_target.items():
                found.append((node.lineno, f"from {written} import {', '.join(names)}", target))
        elif include_functions and isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[0]
            if name in {"import_module", "__import__"} and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((node.lineno, f"{name}({arg.value!r})", arg.value))
    return sorted(found)


def within(module: str, package: str) -> bool:
    """True when `module` is `package` or one of its submodules."""
    return module == package or module.startswith(package + ".")


def fail_if(findings: list[str], header: str) -> None:
    """Fail the test with the header and one finding a line, when there are findings."""
    if findings:
        pytest.fail(f"{header} ({len(findings)}):\n  " + "\n  ".join(findings), pytrace=False)


def violations(files: list[Path], forbidden) -> list[str]:
    """`file:line  statement` for each import (functions included) whose module `forbidden` rejects."""
    return [
        f"{rel(path)}:{line}  {statement}  (-> {target})"
        for path in files
        for line, statement, target in imports_of(path, include_functions=True)
        if forbidden(target)
    ]


def files_under(folder: str) -> list[Path]:
    """The .py files of a top-level folder of the repo (none when it does not exist)."""
    return [p for p in sorted((ROOT / folder).rglob("*.py")) if not is_skipped(p)]


def import_graph() -> dict[str, dict[str, tuple[str, int, str]]]:
    """module -> {imported project module: (file, line, statement)}, imports inside functions included: a lazy
    import that closes a circle hides the circle, it does not remove it."""
    modules = project_modules()
    graph: dict[str, dict[str, tuple[str, int, str]]] = {name: {} for name in modules}
    for name, path in modules.items():
        for line, statement, target in imports_of(path, include_functions=True):
            if target in modules and target != name:
                graph[name].setdefault(target, (rel(path), line, statement))
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of a directed graph with more than one node (Tarjan)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = [0]

    def visit(start: str) -> None:
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as [a, b, ..., a] (shortest from the first node that has one), or []."""
    for group in strongly_connected(graph):
        start, members = group[0], set(group)
        previous = {start: None}
        queue = [start]
        while queue:
            node = queue.pop(0)
            for child in sorted(graph.get(node, ())):
                if child == start:
                    path = [node]
                    while previous[path[-1]] is not None:
                        path.append(previous[path[-1]])
                    return path[::-1] + [start]
                if child in members and child not in previous:
                    previous[child] = node
                    queue.append(child)
    return []


def string_literals(tree: ast.AST):
    """Yield (line, text) for every string constant and f-string of a tree (f-string holes as `{}`)."""
    inside_fstring = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                inside_fstring.add(id(value))
                parts.append(value.value if isinstance(value, ast.Constant) else "{}")
            yield node.lineno, "".join(parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstring:
            yield node.lineno, node.value


def looks_like_sql(text: str) -> bool:
    """True when the text matches one of the SQL patterns (case-sensitive)."""
    return any(p.search(text) for p in SQL_PATTERNS)


def readme_architecture() -> str:
    """The text of README.md from `## Architecture` up to the next `## ` heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Architecture[^\n]*\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def package_dirs() -> list[str]:
    """Every folder of the repo (outside the skipped ones) holding an __init__.py, as `a/b/`."""
    found = set()
    for init in ROOT.rglob("__init__.py"):
        if not is_skipped(init):
            found.add(init.parent.relative_to(ROOT).as_posix() + "/")
    return sorted(found - {"./"})


# ------------------------------------------------------------------ rules


def test_core_imports_neither_side():
    if not (ROOT / "core").is_dir():
        pytest.skip("core/ does not exist yet")
    local = local_top_names() - {"core"}
    bad = violations(files_under("core"), lambda t: t.split(".")[0] in local)
    fail_if(bad, "core/ may import only the standard library and third-party packages")


def test_loaders_never_import_the_read_side():
    forbidden = ("dashboard", "pages", "app", "streamlit")
    bad = violations(files_under("loaders"), lambda t: any(within(t, f) for f in forbidden))
    fail_if(bad, "loaders/ must not import dashboard, pages, app or streamlit")


def test_dashboard_never_imports_pages():
    bad = violations(files_under("dashboard"), lambda t: within(t, "pages") or within(t, "app"))
    fail_if(bad, "dashboard/ must not import pages or app")


def test_pages_import_only_the_read_side_core_and_the_write_door():
    local = local_top_names()

    def forbidden(target: str) -> bool:
        if target.split(".")[0] not in local:
            return False  # standard library or third-party
        return not (within(target, "dashboard") or within(target, "core") or within(target, WRITE_DOOR))

    bad = violations(files_under("pages"), forbidden)
    fail_if(bad, f"pages/ may import only stdlib, third-party, dashboard, core and {WRITE_DOOR}")


def test_pages_hold_no_sql():
    bad = []
    for path in files_under("pages"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, text in sorted(string_literals(tree)):
            if looks_like_sql(text):
                shown = " ".join(text.split())
                bad.append(f"{rel(path)}:{line}  SQL string {shown[:90]!r}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name in SQL_CALL_ATTRS and (isinstance(func, ast.Attribute) or name == "cursor"):
                    bad.append(f"{rel(path)}:{node.lineno}  call {ast.unparse(func)}(...)")
    bad.sort(key=lambda s: (s.split(":")[0], int(s.split(":")[1].split()[0])))
    fail_if(bad, "pages/ must hold no SQL and run none")


def test_no_import_circles():
    graph = import_graph()
    adjacency = {name: set(edges) for name, edges in graph.items()}
    report = []
    for group in strongly_connected(adjacency):
        sub = {n: adjacency[n] & set(group) for n in group}
        cycle = find_cycle(sub)
        lines = [" -> ".join(cycle)]
        for a, b in zip(cycle, cycle[1:]):
            file, line, statement = graph[a][b]
            lines.append(f"    {file}:{line}  {statement}")
        report.append("\n".join(lines))
    fail_if(report, "imports form circles")


def test_readme_architecture_names_every_package():
    section = readme_architecture()
    assert section, "README.md has no `## Architecture` section"
    wanted = sorted(set(package_dirs()) | {"pages/", "dashboard/"})
    missing = [d for d in wanted if not re.search(r"(?<![\w/.-])" + re.escape(d), section)]
    where = [f"{d}  ({d}__init__.py)" if (ROOT / d / "__init__.py").is_file() else d for d in missing]
    fail_if(where, "README.md `## Architecture` does not name these packages")
