"""Read the project's check files (without importing checkov): each check's id and control."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from policy_checkov_run import CHECKS_DIR

PY_CHECK_ID = re.compile(r'check_id="(CKV_TRUST_\d+)"')
PY_CONTROL = re.compile(r'control="([A-Z0-9-]+)"')
SUPPORT_FILES = {"__init__.py", "trust_check_support.py", "required_declarations.py"}


@dataclass(frozen=True)
class CheckSource:
    path: Path
    ids: tuple[str, ...]
    controls: tuple[str, ...]


def check_sources() -> list[CheckSource]:
    sources = []
    for path in sorted(CHECKS_DIR.iterdir()):
        if path.suffix == ".py" and path.name not in SUPPORT_FILES:
            text = path.read_text()
            ids, controls = PY_CHECK_ID.findall(text), PY_CONTROL.findall(text)
        elif path.suffix in (".yaml", ".yml"):
            meta = yaml.safe_load(path.read_text())["metadata"]
            ids, controls = [meta["id"]], [meta["control"]]
        else:
            continue
        sources.append(CheckSource(path, tuple(ids), tuple(controls)))
    return sources
