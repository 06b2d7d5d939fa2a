"""Read the project's check files (without importing checkov): each check's id, and the
controls the catalog (policies/controls.yaml, the one map) lists it under."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from policy_checkov_run import CHECKS_DIR

from trustctl.catalog import load_catalog

PY_CHECK_ID = re.compile(r'check_id="(CKV_TRUST_\d+)"')
SUPPORT_FILES = {"__init__.py", "trust_check_support.py", "iam_policy_support.py"}


@dataclass(frozen=True)
class CheckSource:
    path: Path
    ids: tuple[str, ...]
    controls: tuple[str, ...]  # from the catalog, never from the check file


def catalog_controls(check_id: str) -> tuple[str, ...]:
    return tuple(c.id for c in load_catalog() if check_id in c.verification.static)


def names_a_control(path: Path) -> bool:
    """True when a check file states a control: `control=` in Python, `control:` in YAML."""
    if path.suffix == ".py":
        return "control=" in path.read_text()
    return "control" in yaml.safe_load(path.read_text())["metadata"]


def check_sources() -> list[CheckSource]:
    sources = []
    for path in sorted(CHECKS_DIR.iterdir()):
        if path.suffix == ".py" and path.name not in SUPPORT_FILES:
            ids = PY_CHECK_ID.findall(path.read_text())
        elif path.suffix in (".yaml", ".yml"):
            ids = [yaml.safe_load(path.read_text())["metadata"]["id"]]
        else:
            continue
        controls = tuple(c for i in ids for c in catalog_controls(i))
        sources.append(CheckSource(path, tuple(ids), controls))
    return sources
