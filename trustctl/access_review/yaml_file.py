"""Reading the review's YAML inputs (roster, review files) with one-line, actionable errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trustctl.errors import InputError
from trustctl.input_limits import Limit, read_bytes, within_limits


def load(path: Path, what: str, limit: Limit) -> tuple[Any, bytes]:
    """The parsed document and its exact bytes, within `limit` (checked before parsing);
    InputError in one line naming `what` and where."""
    try:
        raw = read_bytes(path, limit)
        within_limits(raw, path, limit)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        return yaml.load(raw, Loader=yaml.CSafeLoader), raw
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(f"cannot read {what} {path}: {problem}{where}") from None
