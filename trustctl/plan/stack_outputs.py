"""Outputs of the stacks a program references (`pulumi.StackReference`), given on the command
line as `NAME=outputs.json`, each file the shape `pulumi stack output --json` prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trustctl.errors import InputError
from trustctl.input_limits import STACK_OUTPUTS, load_json


def read_stack_outputs(pairs: list[str]) -> dict[str, dict[str, Any]]:
    """Stack name (as the program names it, e.g. `acme/network/prod`) -> its outputs."""
    found: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise InputError(f"--stack-outputs {pair!r}: expected NAME=outputs.json")
        try:
            outputs = load_json(Path(path), STACK_OUTPUTS)
        except OSError as exc:
            raise InputError(f"--stack-outputs {path}: cannot read ({exc.strerror})") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"--stack-outputs {path}: not JSON ({exc})") from exc
        if not isinstance(outputs, dict):
            raise InputError(f"--stack-outputs {path}: not `pulumi stack output --json` output "
                             "(an object of output names)")
        found[name] = outputs
    return found
