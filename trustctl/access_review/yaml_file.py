"""Reading the review's YAML inputs (roster, review files) with one-line, actionable errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trustctl.errors import InputError


def load(path: Path, what: str) -> tuple[Any, bytes]:
    """The parsed document and its exact bytes; InputError in one line naming `what` and where."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        return yaml.safe_load(raw), raw
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(f"cannot read {what} {path}: {problem}{where}") from None
