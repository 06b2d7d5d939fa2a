"""Issue 22 item 4: each record kind's facts are one typed model with a schema version, written
and read through the same class. A record of an unknown kind or schema, or with a fact of another
type, is one line naming the file, the kind and the schema, and fails the report (exit 1): even
signed by a trusted key (a newer trustctl, or whoever holds the key), it cannot hide a failed
drill. A record written before schemas were named still verifies and reads as its kind's first."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from sample_facts import (
    access_review_facts,
    audit_facts,
    backup_facts,
    drill_facts,
    gate_facts,
)

from evidence.helpers import Built, build
from evidence.quarter import FAILING_DRILL, PASSING_DRILL, at
from trustctl.archive.manifest import Manifest
from trustctl.backup.record import backup_record
from trustctl.drill.record import DrillResult
from trustctl.gate.record import gate_record
from trustctl.records import Record, RecordError, open_store
from trustctl.records.facts import BackupFacts, DrillFacts, Facts, parse_facts
from trustctl.records.facts.backup import BackupFactsV1
from trustctl.records.facts.shape import Moment
from trustctl.records.record import SIGNED
from trustctl.records.signing import sign, signer_from_environment
from trustctl.report.model import ControlReport, UncheckedResource
from trustctl.report.results import ControlResult, Finding, Status

FAILED = f"drill-{FAILING_DRILL:%Y%m%d}T100000Z-d.json"
PASSED = f"drill-{PASSING_DRILL:%Y%m%d}T100000Z-d.json"
T0 = dt.datetime(2026, 7, 1, 2, 0, 0, 123456, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(minutes=20)


def _problems(built: Built) -> list[str]:
    return [line for line in built.stderr.splitlines() if " RECORD " in line]


def _resigned(data: dict[str, Any]) -> dict[str, Any]:
    """What the holder of the records' key writes: a whole record, hashed and signed."""
    body = {k: v for k, v in data.items() if k not in ("sha256", "signature")}
    digest = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    signature = sign(signer_from_environment(), f"{SIGNED}{digest}".encode())
    return {**body, "sha256": digest, "signature": signature.to_json()}


def _rewrite(path: Path, change: Any) -> str:
    """`path`'s record changed by `change`, hashed and signed again; its new SHA-256."""
    data = json.loads(path.read_text())
    change(data)
    data = _resigned(data)
    path.write_text(json.dumps(data))
    return data["sha256"]


def _stored_facts(record: Record) -> dict[str, Any]:
    return json.loads(json.dumps(record.to_json()))["facts"]


def test_a_backup_record_of_the_first_schema_still_reads(tmp_path: Path) -> None:
    """backup/1 (before the directory format's table objects) stays readable."""
    first = BackupFactsV1.from_json({k: v for k, v in backup_facts(T0, T1).model_dump(
        mode="json").items() if k != "table_objects"})
    store = open_store(tmp_path)
    store.write(Record.new(first, T0, T1, targets={}, controls=[]))
    [back] = store.read("backup")
    assert back.facts_schema == "backup/1" and type(back.facts) is BackupFactsV1


@pytest.mark.parametrize("facts", [
    backup_facts(T0, T1), audit_facts(1, [{"check": "AUD_X", "status": "fail", "findings": [
        {"resource": "claver.app", "message": "TLS 1.0 accepted"}], "unreadable": [],
        "facts": {"accepted": ["TLSv1", "TLSv1.3"]}}]),
    gate_facts(), drill_facts(T0, T1, status="fail", rto_seconds=20000.0),
    access_review_facts(T0 - dt.timedelta(days=90), T0),
], ids=lambda f: f.KIND)
def test_each_kind_round_trips_through_its_model(tmp_path: Path, facts: Facts) -> None:
    store = open_store(tmp_path)
    path = Path(store.write(Record.new(facts, T0, T1, targets={}, controls=[])))
    stored = json.loads(path.read_text())
    assert stored["facts_schema"] == facts.SCHEMA and facts.SCHEMA.startswith(f"{facts.KIND}/")
    [back] = store.read(facts.KIND)
    assert type(back.facts) is type(facts) and back.facts == facts
    assert back.facts_schema == facts.SCHEMA and back.sha256 == stored["sha256"]


def test_times_stay_times_and_are_written_as_before() -> None:
    drill = drill_facts(T0, T1)
    assert drill.started_at == T0 and drill.finished_at.tzinfo is not None
    assert drill.to_json()["started_at"] == T0.isoformat()  # "+00:00", microseconds kept
    with pytest.raises(ValueError, match="time zone"):
        DrillFacts.from_json({**drill.to_json(), "started_at": "2026-07-01T02:00:00"})
    assert Moment  # the one annotated type every model's times use


def test_the_flows_records_read_back_as_their_models(tmp_path: Path) -> None:
    """The producers themselves (backup, gate, drill) through the store and back."""
    manifest = Manifest(
        backup_id="20260701T020000Z-ab12", source="postgresql://claver@db:5432/claver",
        started_at=T0.isoformat(), finished_at=T1.isoformat(), object_key="b/x/dump.enc",
        object_version="v1", object_bytes=10, object_sha256="0" * 64, dump_bytes=20,
        kms_key_id="k", wrapped_data_key="c2VjcmV0", encryption_context={"backup_id": "x"},
        compression="zstd", dump_format="custom", tool_version="0", pg_dump_version="18",
        server_version="18")
    report = ControlReport("trustctl gate", "program . (stack prod)", [
        ControlResult("TLS-MIN", Status.FAIL, [Finding("min TLS 1.0", check_id="CKV_X")])],
        unchecked=[UncheckedResource("urn:x", "aws:x:Y", "y", "no check", True)], checked=3,
        roles={"urn:x": {"role": "backup-key", "how": "tag"}})
    drill = DrillResult(drill_facts(T0, T1), [ControlResult("RESTORE-DRILL", Status.PASS)])
    store = open_store(tmp_path)
    for record in (backup_record(manifest, "claver-backups"), drill.as_record(),
                   gate_record(report, T0, targets={"stack": "prod"}, judged={"stack": "prod"})):
        store.write(record)
    backup, = store.read("backup")
    assert backup.facts.started_at == T0 and backup.facts.object_version == "v1"
    assert "wrapped_data_key" not in _stored_facts(backup)
    assert "c2VjcmV0" not in json.dumps(backup.to_json())
    gate, = store.read("gate")
    assert gate.facts.unchecked[0].fails_closed is True and gate.facts.resources_checked == 3
    assert gate.facts.roles == {"urn:x": {"role": "backup-key", "how": "tag"}}
    assert [c["status"] for c in gate.controls] == ["fail"]
    read, = store.read("drill")
    assert read.facts == drill.facts and read.targets["backup_bucket"] is None
    assert drill.to_json()["controls"] == read.controls


def test_the_backup_schema_is_the_manifest_without_its_key() -> None:
    """A manifest field added without a new backup schema fails here (and every backup)."""
    manifest = {f.name for f in fields(Manifest)} - {"wrapped_data_key"}
    assert manifest == set(BackupFacts.model_fields)


def test_a_fact_of_another_type_is_refused_naming_it() -> None:
    good = drill_facts(T0, T1).to_json()
    hours = {**good, "rpo": {**good["rpo"], "objective_seconds": "86400"}}
    with pytest.raises(ValueError, match=r"^drill record's facts are not drill/1: "
                                         r"rpo\.objective_seconds: Input should be a valid "
                                         r"number$"):
        parse_facts("drill", "drill/1", hours)
    with pytest.raises(ValueError, match=r"status: Input should be 'pass'"):
        parse_facts("drill", "drill/1", {**good, "status": "passed"})
    with pytest.raises(ValueError, match=r"unknown_field: Extra inputs are not permitted"):
        parse_facts("drill", "drill/1", {**good, "unknown_field": 1})
    with pytest.raises(RecordError, match="drill/1: exit_code: Input should be a valid integer"):
        Record.from_json(_resigned({**json.loads(json.dumps(Record.new(
            drill_facts(T0, T1), T0, T1, targets={}, controls=[]).to_json())),
            "facts": {**good, "exit_code": "0"}, "sequence": 1}), "drill-x.json")


def test_an_unknown_version_cannot_hide_a_failed_drill(tmp_path: Path) -> None:
    """The failed drill rewritten as passed, of a schema nobody reads, signed by the key, and
    the drill after it chained to it again: a history whole but for that one record."""
    path = tmp_path / "records" / FAILED

    def hide(data: dict[str, Any]) -> None:
        data["facts_schema"] = "drill/9"
        data["facts"]["status"] = "pass"
        for control in data["controls"]:
            control["status"], control["findings"] = "pass", []

    def tamper() -> None:
        hidden = _rewrite(path, hide)
        _rewrite(tmp_path / "records" / PASSED, lambda data: data.update(previous=hidden))

    built = build(tmp_path, tamper=tamper)
    assert built.code == 1
    assert _problems(built) == [
        f"trustctl: evidence: RECORD {path}: drill record of facts schema 'drill/9', which "
        "this trustctl does not read (it reads drill/1): not evidence"]  # no hole after it
    assert built.control("RESTORE-DRILL")["status"] == "failed"
    assert FAILED not in {e["record"] for e in built.control("RESTORE-DRILL")["evidence"]}


def test_an_unknown_kind_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "records" / PASSED
    path = tmp_path / "records" / source.name.replace("drill-", "telemetry-")

    def add() -> None:
        data = json.loads(source.read_text())
        data.update(kind="telemetry", facts_schema="telemetry/1", sequence=1, previous=None)
        path.write_text(json.dumps(_resigned(data)))

    built = build(tmp_path, tamper=add)
    assert built.code == 1
    assert _problems(built) == [
        f"trustctl: evidence: RECORD {path}: record kind 'telemetry' (facts schema "
        "'telemetry/1') is not one this trustctl reads (access-review, audit, backup, drill, "
        "gate): not evidence"]


def test_a_wrongly_typed_fact_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "records" / PASSED

    def stringly(data: dict[str, Any]) -> None:
        data["facts"]["rpo"]["objective_seconds"] = "86400"

    built = build(tmp_path, tamper=lambda: _rewrite(path, stringly))
    assert built.code == 1
    assert _problems(built) == [
        f"trustctl: evidence: RECORD {path}: drill record's facts are not drill/1: "
        "rpo.objective_seconds: Input should be a valid number"]
    assert built.control("RESTORE-DRILL")["status"] == "failed"


def test_a_record_written_before_schemas_still_verifies(tmp_path: Path) -> None:
    """trustctl-record/2 without `facts_schema`: same body, same hash, read as drill/1."""
    path = tmp_path / "records" / PASSED

    def legacy(data: dict[str, Any]) -> None:
        del data["facts_schema"]

    built = build(tmp_path, tamper=lambda: _rewrite(path, legacy))
    assert _problems(built) == []
    assert built.control("RESTORE-DRILL")["status"] == "verified"
    stored = json.loads(path.read_text())
    record = Record.from_json(stored, str(path))
    assert record.facts_schema is None and "facts_schema" not in record.body()
    assert isinstance(record.facts, DrillFacts) and record.facts.started_at == at(PASSING_DRILL, 10)
    assert record.sha256 == stored["sha256"]
