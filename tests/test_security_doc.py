"""docs/security.md names, for each OWASP ASVS requirement, the tests that prove it. These tests
keep the page true to the suite: every test it names exists, so renaming or removing a test
fails here until the page is updated. Only the source is parsed (nothing is imported or run)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "security.md"
README = ROOT / "README.md"

# A line marked so names a test file whose test names are still to be written in; the file must
# exist all the same.
TO_CONFIRM = "<!-- to confirm -->"
# tests/file.py, then ::test_name or ::TestClass::test_name; a parametrised test is named without
# its parameters, so anything from "[" on is not part of the name.
REFERENCE = re.compile(r"(tests/[\w/]+\.py)(?:::(\w+(?:::\w+)?))?")
ROW = re.compile(r"^\| (\d+\.\d+\.\d+) \| [^|]+ \| ([^|]+) \|")
STATUSES = {"Met", "Met in part", "Not met", "Not applicable"}


def _lines() -> list[tuple[int, str]]:
    return list(enumerate(PAGE.read_text(encoding="utf-8").splitlines(), start=1))


def _references() -> list[tuple[int, str, str | None, bool]]:
    """(line number, file, test name or None, whether the line is still to be confirmed)."""
    return [
        (number, match.group(1), match.group(2), TO_CONFIRM in line)
        for number, line in _lines()
        for match in REFERENCE.finditer(line)
    ]


@cache
def _tests_in(path: str) -> frozenset[str]:
    """The test functions of a test file, and its test classes' methods as Class::method."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, functions) and item.name.startswith("test")
            )
    return frozenset(names)


def test_every_test_named_here_exists() -> None:
    references = _references()
    assert len(references) > 100, "the page names far fewer tests than it should: is the pattern right?"
    problems = []
    for line, path, name, to_confirm in references:
        if not (ROOT / path).is_file():
            if not to_confirm:  # files still to confirm have their own test below
                problems.append(f"line {line}: {path} does not exist")
        elif name is None:
            if not to_confirm:
                problems.append(f"line {line}: {path} is named without a test")
        elif name not in _tests_in(path):
            problems.append(f"line {line}: {path} has no test {name}")
    assert not problems, "docs/security.md names tests that do not exist:\n" + "\n".join(problems)


def test_the_test_files_still_to_confirm_exist() -> None:
    missing = sorted(
        {
            path
            for _line, path, _name, to_confirm in _references()
            if to_confirm and not (ROOT / path).is_file()
        }
    )
    assert not missing, f"docs/security.md names test files that do not exist: {missing}"


def test_every_requirement_has_one_row_with_a_known_status() -> None:
    rows = [(line, ROW.match(text), text) for line, text in _lines() if ROW.match(text)]
    assert len(rows) > 100, "the page has far fewer requirement rows than it should"
    numbers = [match.group(1) for _line, match, _text in rows]
    assert len(numbers) == len(set(numbers)), "a requirement has more than one row"
    problems = [
        f"line {line}: {match.group(1)} has status {match.group(2).strip()!r}"
        for line, match, _text in rows
        if match.group(2).strip() not in STATUSES
    ]
    # A test still to confirm proves a requirement met; other statuses need no such test.
    problems += [
        f"line {line}: {match.group(1)} is still to confirm but not Met"
        for line, match, text in rows
        if TO_CONFIRM in text and match.group(2).strip() != "Met"
    ]
    assert not problems, "\n".join(problems)


def test_the_readme_links_to_the_page() -> None:
    assert "(docs/security.md)" in README.read_text(encoding="utf-8")
