"""The audit record: what was checked, when, against what, with what result, and the raw facts.

The record's `sha256` is the SHA-256 of its canonical encoding (JSON, sorted keys, no spaces,
UTF-8) without the `sha256` field itself, so anyone can recompute it. Files are 0640.
Targets are described without secrets (no token, no password).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from trustctl import redaction
from trustctl.errors import InputError
from trustctl.paths import CATALOG_PATH, REPO_ROOT

KIND = "audit"
FORMAT = "trustctl-audit-record/1"


def canonical_sha256(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "sha256"}
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                         default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def code_version() -> dict[str, str | None]:
    """The package version and, in a git checkout, the commit the code ran from."""
    try:
        package = version("trustctl")
    except PackageNotFoundError:
        package = None
    try:
        commit = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=5,
                                check=True).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"package": package, "commit": commit}


def catalog_version(path: Path = CATALOG_PATH) -> dict[str, str]:
    raw = path.read_bytes()
    return {"path": path.name, "sha256": hashlib.sha256(raw).hexdigest()}


def build(*, started: datetime, finished: datetime, targets: dict[str, Any],
          controls: list[dict], outcomes: list[dict], exit_code: int) -> dict[str, Any]:
    record = {
        "format": FORMAT, "kind": KIND,
        "id": f"{started.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}",
        "started": started.isoformat(), "finished": finished.isoformat(),
        "code_version": code_version(), "catalog_version": catalog_version(),
        "targets": targets, "exit_code": exit_code, "controls": controls, "checks": outcomes,
    }
    record["sha256"] = canonical_sha256(record)
    return record


def check_directory(directory: Path) -> None:
    """Refuse, before any API call, a directory the record could not be written to."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--evidence-dir {directory}: cannot create ({exc.strerror})") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"--evidence-dir {directory}: not writable")


def write(record: dict[str, Any], directory: Path) -> Path:
    """audit-<id>.json, mode 0640, through the redaction that every file trustctl writes takes
    (the record holds no secret by construction; this is the last line of defence)."""
    path = directory / f"audit-{record['id']}.json"
    redaction.write_file(path, json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    return path
