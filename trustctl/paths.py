"""Where the repository's own files are: the policies the commands read by default."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
POLICIES = REPO_ROOT / "policies"
CATALOG_PATH = POLICIES / "controls.yaml"
EXCEPTIONS_PATH = POLICIES / "exceptions.yaml"
PROJECT_CHECKS = POLICIES / "checks"
