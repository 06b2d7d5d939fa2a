"""CI runs the gate on every pull request and leaves CHANGE-CONTROL evidence (SARIF upload,
secret scanning, dependency review)."""

from __future__ import annotations

import yaml

from trustctl.paths import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def _workflow(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def _uses(doc: dict) -> list[str]:
    return [step.get("uses", "").split("@")[0] for job in doc["jobs"].values()
            for step in job["steps"]]


def test_gate_runs_on_every_pull_request_and_uploads_sarif() -> None:
    doc = _workflow("gate.yml")
    assert "pull_request" in doc["on"]
    assert "github/codeql-action/upload-sarif" in _uses(doc)
    script = "\n".join(step.get("run", "") for step in doc["jobs"]["gate"]["steps"])
    assert script.count("uv run --frozen trustctl gate") == 1  # one run writes every report
    assert "trustctl gate --output sarif=gate.sarif --output json=gate.json" in script
    upload = next(step for step in doc["jobs"]["gate"]["steps"]
                  if step.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "gate.sarif"
    assert doc["jobs"]["gate"]["permissions"]["security-events"] == "write"


def test_change_control_scans_secrets_and_reviews_dependencies() -> None:
    doc = _workflow("change-control.yml")
    assert "pull_request" in doc["on"]
    assert {"gitleaks/gitleaks-action", "actions/dependency-review-action"} <= set(_uses(doc))
    review = next(step for step in doc["jobs"]["dependency-review"]["steps"]
                  if step.get("uses", "").startswith("actions/dependency-review-action"))
    assert review["with"]["fail-on-severity"] == "high"
