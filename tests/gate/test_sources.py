"""Reading `pulumi preview --json` and `pulumi stack export` into the Plan model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from gate_support import FIXTURES, REALWORLD

from trustctl.errors import InputError
from trustctl.gate.sources import from_preview, from_state, source_location
from trustctl.plan.model import SourceLocation


def test_source_position_becomes_file_and_line() -> None:
    assert source_location("project:///infra/x.py#12,5") == SourceLocation("infra/x.py", 12)
    assert source_location("project:///index.ts#5,20") == SourceLocation("index.ts", 5)
    assert source_location(None) is None
    assert source_location("file:///elsewhere.py#3") is None


def test_preview_fixture_keeps_what_will_exist() -> None:
    declared = from_preview(FIXTURES / "preview-data-stores.json")
    names = [r.name for r in declared.plan.resources]
    assert "old-uploads" not in names  # delete step: will not exist
    assert "data" not in names  # component resource: declares nothing itself
    assert len(names) == 11 and names[0] == "good-key"
    key = declared.plan.resources[0]
    assert key.inputs["description"] == "customer data"  # newState of the update, not oldState
    assert key.source == SourceLocation("infra/data_stores.py", 12)
    assert (declared.plan.project, declared.plan.stack) == ("shop", "dev")


def test_state_fixture_skips_pending_deletes_and_external_resources() -> None:
    declared = from_state(FIXTURES / "stack-export-data-stores.json")
    names = [r.name for r in declared.plan.resources]
    assert "old-uploads" not in names and "shared-vpc-default" not in names
    assert len(names) == 11
    good_key = declared.plan.resources[0]
    assert declared.identities[good_key.urn] >= {
        "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-aaaa-bbbb-cccc-111111111111"}


@pytest.mark.realworld
@pytest.mark.parametrize(("name", "count"), [
    ("stratify-sample-preview-creates.json", 14),
    ("stratify-sample-preview-update.json", 14),
    ("stratify-sample-preview-deletes.json", 1),
])
def test_realworld_previews(name: str, count: int) -> None:
    declared = from_preview(REALWORLD / name)
    assert len(declared.plan.resources) == count
    assert all(not r.type.startswith("pulumi:") for r in declared.plan.resources)
    bucket = next(r for r in declared.plan.resources if r.type == "aws:s3/bucket:Bucket")
    assert bucket.name == "docs" and bucket.source == SourceLocation("index.ts", 5)


@pytest.mark.realworld
def test_realworld_states() -> None:
    stratify = from_state(REALWORLD / "stratify-sample-export.json")
    assert len(stratify.plan.resources) == 14
    migrated = from_state(REALWORLD / "tf-migrate-dns-to-db-converted-state.json")
    assert len(migrated.plan.resources) == 90  # 93 less the stack and two providers
    assert migrated.plan.project == "dns-to-db"


@pytest.mark.parametrize(("content", "reason"), [
    ("not json at all", "not JSON"),
    ("[1, 2, 3]", "no `steps` list"),
    ('{"steps": [{"op": "create"}]}', "step 0 (create) has no `newState`"),
    ('{"steps": [{"urn": "x"}]}', "step 0 has no `op`"),
    ('{"steps": [{"op": "create", "newState": {"urn": "nope", "type": "aws:kms/key:Key"}}]}',
     "lacks a Pulumi `urn`"),
])
def test_garbage_previews_are_refused_in_one_line(tmp_path: Path, content: str,
                                                   reason: str) -> None:
    path = tmp_path / "preview.json"
    path.write_text(content)
    with pytest.raises(InputError, match=re.escape(reason)) as err:
        from_preview(path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("content", "reason"), [
    ('{"version": 3}', "no deployment.resources"),
    ('{"deployment": {"resources": [1]}}', "a resource is not an object"),
    ('{"deployment": {"resources": [{"urn": "urn:pulumi:a::b::aws:kms/key:Key::k", '
     '"type": "aws:kms/key:Key", "inputs": [1]}]}}', "`inputs` is not an object"),
    ('{"deployment": {"resources": [{"urn": "urn:pulumi:a::b::aws:kms/key:Key::k", '
     '"type": "aws:kms/key:Key", "dependencies": 5}]}}', "`dependencies` is not a list of URNs"),
    ('{"deployment": {"resources": [{"urn": "urn:pulumi:a::b::aws:kms/key:Key::k", '
     '"type": "aws:kms/key:Key", "propertyDependencies": [1]}]}}',
     "`propertyDependencies` is not an object"),
    ('{"deployment": {"resources": [{"urn": "urn:pulumi:a::b::aws:kms/key:Key::k", '
     '"type": "aws:kms/key:Key", "propertyDependencies": {"policy": 5}}]}}',
     "`propertyDependencies`.policy is not a list of URNs"),
])
def test_garbage_states_are_refused_in_one_line(tmp_path: Path, content: str,
                                                 reason: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(InputError, match=re.escape(reason)):
        from_state(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        from_state(tmp_path / "absent.json")


def test_the_old_checkpoint_shape_is_read(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "stack-export-data-stores.json").read_text())
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"version": 1, "checkpoint": {
        "stack": "dev", "latest": doc["deployment"]}}))
    assert len(from_state(path).plan.resources) == 11
