"""The security page's figures are written once, in policies/controls.yaml: no file of trustctl/,
policies/, infra/, .github/ or scripts/ writes one as a literal (prose may name them)."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from trustctl.catalog import page_figures
from trustctl.paths import CATALOG_PATH, REPO_ROOT

SEARCHED = ("trustctl", "policies", "infra", ".github", "scripts")
# text, not code (f-strings are split into these tokens from Python 3.12 on)
_TEXT = {tokenize.STRING, tokenize.COMMENT} | {
    getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, name)}


@dataclass(frozen=True)
class Figure:
    """A figure as code writes it: a number, and (for numbers too common to forbid outright)
    the words on its line that make it this figure."""

    what: str
    values: tuple[float, ...]
    context: str | None = None  # regex over the line's code (strings and comments blanked)


_F = page_figures()
FIGURES = (
    Figure("HSTS max-age", (_F.hsts_max_age_seconds,)),
    Figure("backup retention days", (_F.backup_retention_days,)),
    Figure("quarter in days", (_F.drill_every_days, _F.review_every_days)),
    Figure("RPO hours", (_F.rpo_hours,), r"(?i)rpo|timedelta\s*\(\s*hours\s*="),
    Figure("RTO hours", (_F.rto_hours, _F.rto_hours * 60), r"(?i)rto|timedelta\s*\(\s*hours\s*="),
    Figure("lockout attempts", (_F.lockout_after_attempts,), r"(?i)attempt|threshold|lockout"),
    Figure("key rotation days", (_F.key_rotation_days,), r"(?i)rotation"),
)


def _python_numbers(text: str) -> list[tuple[int, float, str]]:
    """(line, value, the line's code without strings or comments) for each number literal."""
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    code: dict[int, list[str]] = {}
    for token in tokens:
        if token.type not in _TEXT:
            code.setdefault(token.start[0], []).append(token.string)
    return [(t.start[0], float(t.string.replace("_", "")), " ".join(code[t.start[0]]))
            for t in tokens if t.type == tokenize.NUMBER and "j" not in t.string.lower()
            and not t.string.lower().startswith(("0x", "0o", "0b"))]


def _yaml_numbers(text: str) -> list[tuple[int, float, str]]:
    """(line, value, its key) for each number scalar of every YAML document in the file."""
    found: list[tuple[int, float, str]] = []

    def walk(node: yaml.Node, key: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, str(k.value))
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, key)
        elif node.tag.endswith((":int", ":float")):
            found.append((node.start_mark.line + 1, float(node.value.replace("_", "")), key))

    for document in yaml.compose_all(text, Loader=yaml.SafeLoader):
        if document is not None:
            walk(document, "")
    return found


def literals(path: Path, text: str, figures: tuple[Figure, ...] = FIGURES) -> list[str]:
    """Each place `path` writes one of `figures` as a literal."""
    python = path.suffix == ".py" or text.startswith("#!/usr/bin/env python")
    numbers = (_python_numbers(text) if python
               else _yaml_numbers(text) if path.suffix in (".yaml", ".yml") else [])
    found = [f"{path}:{line}: {figure.what} ({value:g})"
             for line, value, context in numbers for figure in figures
             if value in figure.values and (figure.context is None
                                            or re.search(figure.context, context))]
    hsts = str(page_figures().hsts_max_age_seconds)  # never prose: not even in a string
    found += [f"{path}:{n}: HSTS max-age in text" for n, line in enumerate(text.splitlines(), 1)
              if hsts in line.replace("_", "") and not any(hsts in f for f in found)]
    return found


def searched_files() -> list[Path]:
    return [p for top in SEARCHED for p in sorted((REPO_ROOT / top).rglob("*"))
            if p.is_file() and p != CATALOG_PATH and "__pycache__" not in p.parts
            and p.suffix in (".py", ".yaml", ".yml", "") ]


def test_no_figure_is_written_outside_the_catalog() -> None:
    files = searched_files()
    assert len(files) > 200 and CATALOG_PATH.exists()  # the tree is where the test looks
    found = [hit for path in files for hit in literals(path.relative_to(REPO_ROOT),
                                                       path.read_text(errors="replace"))]
    assert found == []


@pytest.mark.parametrize(("name", "text", "what"), [
    ("a.py", "RETENTION = timedelta(days=35)\n", "backup retention days"),
    ("a.py", "rpo_hours: float = 24.0\n", "RPO hours"),
    ("a.py", "DAY = timedelta(hours=24)\n", "RPO hours"),
    ("a.py", "MAX_AGE = timedelta(days=92)\n", "quarter in days"),
    ("a.py", "PROMISED_RTO_MINUTES = 240\n", "RTO hours"),
    ("a.py", "MAX_ATTEMPTS = 10\n", "lockout attempts"),
    ("a.py", "aws.kms.Key(rotation_period_in_days=365)\n", "key rotation days"),
    ("a.py", 'HEADER = "max-age=63072000; preload"\n', "HSTS max-age"),
    ("a.py", "TWO_YEARS = 63_072_000\n", "HSTS max-age"),
    ("check.yaml", "definition:\n  value: 35\n", "backup retention days"),
    ("ci.yml", "jobs:\n  x:\n    every_days: 92\n", "quarter in days"),
])
def test_a_figure_written_as_a_literal_is_found(name: str, text: str, what: str) -> None:
    assert [hit for hit in literals(Path(name), text) if what in hit]


@pytest.mark.parametrize("text", [
    '"""Backups are kept 35 days."""\n',  # prose may name a figure
    "# lockout after 10 attempts\n",
    'UNIT_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}\n',  # a day has 24 hours
    "RATE_LIMIT_PERIODS = (10, 60, 120)\n",
    "SPAN_DAYS = 4 * 365 + 1\n",
    "start_window_hours=24,\n",  # AWS Backup's restore-test window, not the RPO
])
def test_prose_and_other_numbers_are_not_figures(text: str) -> None:
    assert literals(Path("a.py"), text) == []
