"""Building the simulated quarter's evidence report through the CLI, and reading it back."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from evidence.quarter import END, START, write_policies, write_quarter
from trustctl.cli import app
from trustctl.records import open_store


@dataclass
class Built:
    out: Path
    code: int
    stdout: str
    stderr: str
    key_id: str | None

    @property
    def report(self) -> dict:
        return json.loads((self.out / "report.json").read_text())

    def control(self, control_id: str) -> dict:
        return next(c for c in self.report["controls"] if c["id"] == control_id)


def build(tmp_path: Path, *extra: str, drills: bool = True, last_audit_fails: bool = False,
          key_id: str | None = None, bucket: str | None = None,
          tamper: Callable[[], None] | None = None, empty: bool = False,
          trust_local_key: bool = True) -> Built:
    """The quarter's records written to a directory (or the `bucket` URL; none if `empty`),
    `tamper` done to them, then the report (the records' local key trusted unless told not).
    """
    records = tmp_path / "records"
    location = bucket or str(records)
    if not empty:
        write_quarter(open_store(location), drills=drills, last_audit_fails=last_audit_fails)
    if tamper is not None:
        tamper()
    where = ["--evidence", bucket] if bucket else ["--evidence-dir", str(records)]
    exceptions, attestations = write_policies(tmp_path)
    out = tmp_path / "report"
    signing = ["--signing-key", key_id] if key_id else []
    trust = ["--trust-local-key"] if trust_local_key else []
    result = CliRunner().invoke(app, [
        "evidence", "build", "--from", START.isoformat(), "--to", END.isoformat(),
        "--out", str(out), *where, "--exceptions", str(exceptions),
        "--attestations", str(attestations), *signing, *trust, *extra])
    return Built(out, result.exit_code, result.stdout, result.stderr, key_id)
