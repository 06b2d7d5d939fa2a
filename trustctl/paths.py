"""Where the repository's own files are: the policies the commands read by default."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
POLICIES = REPO_ROOT / "policies"
CATALOG_PATH = POLICIES / "controls.yaml"
CATALOG_ENV = "TRUSTCTL_CATALOG"  # another catalog for every command (and checkov's checks)
EXCEPTIONS_PATH = POLICIES / "exceptions.yaml"
PRODUCTION_STACK_CONFIG = REPO_ROOT / "Pulumi.prod.yaml"  # what the audit and the drill expect
PROJECT_CHECKS = POLICIES / "checks"
HOME_ENV = "TRUSTCTL_HOME"  # where trustctl keeps state on this machine (default <repo>/.trustctl)


def catalog_path() -> Path:
    """The control catalog in force: $TRUSTCTL_CATALOG, else policies/controls.yaml. Read at
    each call, so a test (or a run judging a proposed catalog) changes it for every flow."""
    return Path(os.environ.get(CATALOG_ENV) or CATALOG_PATH)


def state_home() -> Path:
    """Where trustctl keeps its own state on this machine (the sandbox, what it read of the
    installed SDKs): $TRUSTCTL_HOME, else <repo root>/.trustctl."""
    home = os.environ.get(HOME_ENV)
    return Path(home) if home else REPO_ROOT / ".trustctl"
