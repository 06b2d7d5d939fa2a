"""Run the real checkov over a plan file and index its records by (check id, resource)."""

from __future__ import annotations

import json
import os
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CHECKOV = REPO_ROOT / "tools" / "checkov" / ".venv" / "bin" / "checkov"
CHECKS_DIR = REPO_ROOT / "policies" / "checks"


@dataclass(frozen=True)
class Scan:
    """checkov's records of one run, by (check id, resource address)."""

    records: dict[tuple[str, str], list[dict[str, Any]]]
    stderr: str

    def outcomes(self, check_id: str, address: str) -> set[str]:
        return {r["check_result"]["result"] for r in self.records.get((check_id, address), [])}

    def record(self, check_id: str, address: str) -> dict[str, Any]:
        return self.records[(check_id, address)][0]

    def check_ids(self, outcome: str) -> set[str]:
        return {
            check_id
            for (check_id, _), records in self.records.items()
            if any(r["check_result"]["result"] == outcome for r in records)
        }


def run_checkov(plan_path: Path) -> Scan:
    """Offline run: --skip-download keeps checkov from calling the Prisma Cloud API."""
    env = {**os.environ, "LOG_LEVEL": "WARNING", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    done = subprocess.run(
        [
            str(CHECKOV),
            "-f",
            str(plan_path),
            "--framework",
            "terraform_plan",
            "--external-checks-dir",
            str(CHECKS_DIR),
            "--skip-download",
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-4000:]
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    records: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for one in reports:
        for kind in ("passed_checks", "failed_checks"):
            for record in one["results"][kind]:
                records[(record["check_id"], record["resource"])].append(record)
    return Scan(records=dict(records), stderr=done.stderr)
