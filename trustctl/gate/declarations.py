"""Resources a control needs to exist, not merely to be right when present.

checkov only judges what is declared: a program without Cloudflare zone settings would pass every
TLS check by having nothing to check. The table of required declarations belongs to the checks
(policies/checks/required_declarations.py, pure data); it is loaded here by path because that
folder is checkov's, not a package of trustctl.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from trustctl.errors import InputError
from trustctl.gate.checkov_runner import PROJECT_CHECKS

DECLARATIONS = PROJECT_CHECKS / "required_declarations.py"


@cache
def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("trustctl_required_declarations", path)
    if spec is None or spec.loader is None or not path.exists():
        raise InputError(f"cannot load required declarations {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def missing_by_control(planned: list[dict[str, Any]],
                       path: Path = DECLARATIONS) -> dict[str, list[str]]:
    """Control id -> what it requires that no planned resource declares."""
    missing: dict[str, list[str]] = {}
    for req in _module(path).missing_declarations(planned):
        checks = ", ".join(req.checked_by)
        missing.setdefault(req.control, []).append(f"{req.describe()} (checked by {checks})")
    return missing


def controls_with_requirements(path: Path = DECLARATIONS) -> frozenset[str]:
    return frozenset(req.control for req in _module(path).REQUIRED)
