"""Which code and which catalog produced a record, so an auditor can tie evidence to a commit."""

from __future__ import annotations

import hashlib
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from trustctl.input_limits import CATALOG, load_yaml
from trustctl.paths import REPO_ROOT, catalog_path


@cache
def code_version() -> str:
    """The package version, plus the git commit when run from a checkout (`0.1.0+g1a2b3c4`)."""
    try:
        package = version("trustctl")
    except PackageNotFoundError:
        package = "0"
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return package
    return f"{package}+g{commit}" if commit else package


def catalog_version() -> str:
    """The catalog's declared version and the SHA-256 of its text (`1+sha256:0f3e...`)."""
    return _catalog_version(catalog_path())


@cache
def _catalog_version(path: Path) -> str:
    read = load_yaml(path, CATALOG, "control catalog")
    declared = (read.document or {}).get("version", "?")
    return f"{declared}+sha256:{hashlib.sha256(read.raw).hexdigest()[:16]}"
