"""The program's shape: one component per capability, every resource under one, in infra/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from trustctl.catalog import load_catalog
from trustctl.plan import Plan

# Each capability's component, and the control ids its docstring must name.
CAPABILITIES = {
    "trustctl:keys:Keys": {"ENC-AT-REST", "BACKUP-KEY-SEPARATE"},
    "trustctl:storage:Storage": {"ENC-AT-REST", "ACCESS-LOGGED"},
    "trustctl:storage:HardenedBucket": {"ENC-AT-REST", "ACCESS-LOGGED", "BACKUP-DAILY-35D"},
    "trustctl:network:Network": {"PRIVATE-NETWORK", "NO-PUBLIC-DB"},
    "trustctl:backups:Backups": {"BACKUP-DAILY-35D", "BACKUP-KEY-SEPARATE", "RPO-RTO"},
    "trustctl:backups:BackupReplica": {"RPO-RTO", "BACKUP-DAILY-35D", "BACKUP-KEY-SEPARATE",
                                       "ACCESS-LOGGED"},
    "trustctl:audit:AuditTrail": {"ACCESS-LOGGED"},
    "trustctl:access:StaffAccess": {"STAFF-ACCESS"},
    "trustctl:jobs:ScheduledJobs": {"STAFF-ACCESS", "CHANGE-CONTROL", "BACKUP-DAILY-35D",
                                    "RESTORE-DRILL"},
    "trustctl:database:SupabaseProject": {"NO-PUBLIC-DB"},
    "trustctl:edge:Edge": {"TLS-MIN", "HSTS", "CT-MONITOR", "WAF", "AUTH-RATE-LIMIT", "CSP-SRI"},
    "trustctl:evidence:EvidenceStore": {"ENC-AT-REST", "ACCESS-LOGGED"},
}


def _component_docstrings(infra: Path) -> dict[str, str]:
    """Type token -> class docstring, for every ComponentResource class under infra/components."""
    found = {}
    for path in sorted((infra / "components").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            for call in ast.walk(node):
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "__init__" and call.args
                        and isinstance(call.args[0], ast.Constant)):
                    found[call.args[0].value] = ast.get_docstring(node) or ""
    return found


def test_pulumi_project_runs_infra_with_uv(repo_root: Path) -> None:
    project = yaml.safe_load((repo_root / "Pulumi.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "uv"}}
    assert project["main"] == "infra/"
    declared = project["config"]
    stack = yaml.safe_load((repo_root / "Pulumi.prod.yaml").read_text())["config"]
    assert stack["aws:region"] == "us-east-1"
    # Every key the stack sets is declared with a type and a description, and vice versa.
    ours = {k.removeprefix("trustctl:") for k in stack if k.startswith("trustctl:")}
    assert ours == set(declared)
    assert all({"type", "description"} <= set(decl) for decl in declared.values())


def test_one_component_per_capability(prod_plan: Plan) -> None:
    components = [r for r in prod_plan.resources if not r.custom]
    counts = {t: sum(r.type == t for r in components) for t in CAPABILITIES}
    assert {t: n for t, n in counts.items() if t != "trustctl:storage:HardenedBucket"} == {
        t: 1 for t in CAPABILITIES if t != "trustctl:storage:HardenedBucket"
    }
    assert counts["trustctl:storage:HardenedBucket"] == 7  # 2 in the recovery region
    assert {r.type for r in components} == set(CAPABILITIES)


def test_every_cloud_resource_belongs_to_a_component(prod_plan: Plan) -> None:
    components = {r.urn for r in prod_plan.resources if not r.custom}
    orphans = [r.name for r in prod_plan.resources if r.custom and r.parent not in components]
    assert orphans == []


def test_every_resource_points_at_its_line_in_infra(prod_plan: Plan, repo_root: Path) -> None:
    for r in prod_plan.resources:
        assert r.source is not None, r.urn
        assert r.source.file.startswith("infra/"), (r.urn, r.source)
        assert r.source.line > 0
        lines = (repo_root / r.source.file).read_text().splitlines()
        assert r.source.line <= len(lines), (r.urn, r.source)


def test_component_docstrings_name_the_controls_they_keep(repo_root: Path) -> None:
    known = {c.id for c in load_catalog()}
    docstrings = _component_docstrings(repo_root / "infra")
    assert set(docstrings) == set(CAPABILITIES)
    for type_token, expected in CAPABILITIES.items():
        named = {c for c in known if re.search(rf"\b{c}\b", docstrings[type_token])}
        assert expected <= named, (type_token, expected - named)


def test_no_iam_users_anywhere(prod_plan: Plan) -> None:
    assert prod_plan.of_type("aws:iam/user:User") == []
    assert not any(r.type.startswith("aws:iam/user") for r in prod_plan.resources)


@pytest.mark.parametrize("token", ["aws:ec2/internetGateway:InternetGateway",
                                   "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"])
def test_nothing_opens_a_way_to_the_internet(prod_plan: Plan, token: str) -> None:
    assert prod_plan.of_type(token) == []
