"""The options every recording command shares: where its record goes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustctl.environment import Environment
from trustctl.errors import InputError
from trustctl.records.store import S3_SCHEME, RecordStore
from trustctl.records.stores import open_store

EvidenceDirOption = Annotated[Path, typer.Option(
    "--evidence-dir", envvar="TRUSTCTL_EVIDENCE_DIR",
    help="Directory of records (JSON, mode 0640): where runs write theirs and evidence build "
         "reads them.")]
EvidenceOption = Annotated[str | None, typer.Option(
    "--evidence", envvar="TRUSTCTL_EVIDENCE",
    help="Use the evidence bucket instead of --evidence-dir: s3://bucket/prefix (Object Lock; "
         "AWS_REGION, AWS_ENDPOINT_URL and credentials from boto3's usual chain).")]
DEFAULT_EVIDENCE_DIR = Path("evidence")


def record_store(evidence_dir: Path, evidence: str | None,
                 environment: Environment) -> RecordStore:
    """The store a command writes to: the bucket when --evidence is given, else the directory;
    its records say they came from `environment` (the command's provider's)."""
    if evidence is None:
        return open_store(evidence_dir, environment)
    if not evidence.startswith(S3_SCHEME):
        raise InputError(f"--evidence {evidence!r}: expected {S3_SCHEME}bucket/prefix "
                         "(use --evidence-dir for a directory)")
    return open_store(evidence, environment)
