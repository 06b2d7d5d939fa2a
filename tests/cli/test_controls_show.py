"""`trustctl controls --show ID`: every file it names exists, the infrastructure it names
implements the control (both ways), and an unknown id is one line naming the closest."""

from __future__ import annotations

import ast
import json
import re

import pytest
from typer.testing import CliRunner

from trustctl.catalog import load_catalog
from trustctl.cli import app
from trustctl.control_map import COMPONENTS, control_map, implementing_components
from trustctl.paths import REPO_ROOT

IDS = [c.id for c in load_catalog()]
_ID_SHAPED = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)+(?![\w-])")
AWS_TERMS = {"SSE-KMS", "SSE-S3", "AES-256", "SIGN-VERIFY"}
BUILDING_BLOCKS = {"HardenedBucket"}  # a part of other components, implementing nothing alone


@pytest.mark.parametrize("control_id", IDS)
def test_every_file_named_exists(control_id: str) -> None:
    found = control_map(control_id)
    assert found.files(), f"{control_id}: nothing names a file"
    assert [f for f in found.files() if not (REPO_ROOT / f).is_file()] == []
    assert all(p.file or p.note in ("checkov built-in", "zizmor audit (run beside checkov)")
               for p in found.static)
    assert all(p.file for p in found.live), [p for p in found.live if not p.file]


def test_a_control_the_gate_requires_is_declared_by_a_component() -> None:
    """Catalog -> infra: a control whose `requires:` asks a program to declare something has a
    component of infra/components that says it implements it."""
    named = {i for ids in implementing_components().values() for i in ids}
    assert [c.id for c in load_catalog() if c.requires and c.id not in named] == []


def test_a_component_implements_only_controls_of_the_catalog() -> None:
    """infra -> catalog: every component says what it implements, and each control-id-shaped
    word it says there (but AWS's own terms) is a catalog id: a renamed or mistyped id fails."""
    components = [(path, node) for path in sorted(COMPONENTS.glob("*.py"))
                  for node in ast.parse(path.read_text()).body if isinstance(node, ast.ClassDef)
                  and any(ast.unparse(b).endswith("ComponentResource") for b in node.bases)
                  and node.name not in BUILDING_BLOCKS]
    assert len(components) >= 8
    for path, node in components:
        doc = ast.get_docstring(node) or ""
        assert "Implements" in doc, f"{path.name}: {node.name} says nothing it implements"
        words = set(_ID_SHAPED.findall(doc[doc.index("Implements"):])) - AWS_TERMS
        assert words and words <= set(IDS), f"{node.name}: {sorted(words - set(IDS))}"


def test_show_prints_the_map_and_its_json() -> None:
    runner = CliRunner()
    text = runner.invoke(app, ["controls", "--show", "BACKUP-DAILY-35D"])
    assert text.exit_code == 0
    assert "Backups. Daily, encrypted, kept 35 days." in text.stdout
    assert re.search(r"CKV_TRUST_16\s+policies/checks/BackupBucketExpires35Days\.py",
                     text.stdout)
    assert re.search(r"AUD_AWS_7\s+trustctl/audit/checks/aws/backup_bucket_expiry\.py",
                     text.stdout)
    assert re.search(r"Backups\s+infra/components/backups\.py", text.stdout)
    assert re.search(r"retention\s+trustctl/drill/run\.py", text.stdout)
    doc = json.loads(runner.invoke(app, ["controls", "--show", "HSTS", "--format", "json"]
                                   ).stdout)
    (hsts,) = doc["controls"]
    assert hsts["id"] == "HSTS" and hsts["figures"] == {"max_age_seconds": 63072000}
    assert {"name": "CKV_TRUST_5", "file": "policies/checks/ZoneHstsPreload.py"} in hsts["static"]
    assert hsts["drill"] == [] and hsts["records"][0]["name"] == "gate-*.json"


def test_an_unknown_id_is_one_line_naming_the_closest() -> None:
    result = CliRunner().invoke(app, ["controls", "--show", "BACKUP-DAILY"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "trustctl: error: unknown control id 'BACKUP-DAILY' (closest: BACKUP-DAILY-35D)"]
