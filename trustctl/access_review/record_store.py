"""Interim: write and read access-review records until issue 14's record store
(trustctl/records/) lands on main; the record has that store's shape (format
trustctl-record/1: kind, id, started, finished, code and catalog version, targets, controls,
facts, sha256 of the canonical encoding), so switching is a change of import.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from trustctl import __version__, redaction
from trustctl.errors import InputError
from trustctl.paths import CATALOG_PATH, REPO_ROOT

FORMAT = "trustctl-record/1"
FILE_MODE = 0o640


def seal(body: dict[str, Any]) -> dict[str, Any]:
    """`body` with its format, code and catalog versions and the SHA-256 of its canonical form."""
    body = {"format": FORMAT, "code_version": code_version(),
            "catalog_version": catalog_version(), **body}
    body = json.loads(redaction.redact(json.dumps(body)))  # sealed as it will be stored
    return {**body, "sha256": _sha256(body)}


def write(record: dict[str, Any], directory: Path) -> Path:
    """`<kind>-<id>.json` in `directory`, mode 0640, never overwriting a record."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{record['kind']}-{record['id']}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        raise InputError(f"{path}: a record of that name exists; records are never "
                         "rewritten") from None
    except OSError as exc:
        raise InputError(f"cannot write a record to {directory}: {exc.strerror}") from None
    with os.fdopen(fd, "w") as out:
        os.fchmod(fd, FILE_MODE)
        out.write(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def read(directory: Path, kind: str) -> list[dict[str, Any]]:
    """Every record of `kind` in `directory`, oldest first; an altered one is refused."""
    records = []
    for path in sorted(directory.glob(f"{kind}-*.json")) if directory.is_dir() else []:
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read record {path}: {exc}") from None
        body = {k: v for k, v in record.items() if k != "sha256"}
        if record.get("sha256") != _sha256(body):
            raise InputError(f"{path}: content does not match its sha256 (altered record)")
        records.append(record)
    return sorted(records, key=lambda r: (r["finished"], r["id"]))


@cache
def code_version() -> str:
    """The package version, plus the git commit when run from a checkout."""
    try:
        commit = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=5, check=True
                                ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}"


@cache
def catalog_version() -> str:
    return "sha256:" + hashlib.sha256(CATALOG_PATH.read_bytes()).hexdigest()[:16]


def _sha256(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
