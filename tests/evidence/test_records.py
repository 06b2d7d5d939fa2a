"""The record store: canonical hash, append-only, 0640, secrets redacted, local and S3 (moto)."""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sample_facts import audit_facts, drill_facts

from trustctl.aws import AwsTarget, client
from trustctl.errors import DependencyError, InputError
from trustctl.records import Period, Record, RecordError, RecordExistsError, open_store

T0 = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)


def _record(kind: str = "audit", when: datetime = T0, exit_code: int = 0) -> Record:
    facts = (drill_facts(when, when + timedelta(minutes=3)) if kind == "drill"
             else audit_facts(exit_code, [{"check": "AUD_X", "status": "pass", "findings": [],
                                           "unreadable": [], "facts": {"b": 1, "a": [1.5, "x"]}}]))
    return Record.new(facts, when, when + timedelta(minutes=3),
                      targets={"account": "123456789012"},
                      controls=[{"id": "TLS-MIN", "status": "pass", "findings": []}])


def test_hash_is_over_the_canonical_encoding_not_the_layout(tmp_path: Path) -> None:
    record = _record()
    path = Path(open_store(tmp_path).write(record))
    stored = json.loads(path.read_text())
    sealed = Record.from_json(stored, "x")
    assert stored["sha256"] == sealed.sha256 and len(sealed.sha256) == 64
    assert sealed.facts == record.facts and sealed.sequence == 1 and sealed.previous is None
    # re-serialized differently (other key order, no indent): same record, same hash
    reordered = dict(reversed(list(stored.items())))
    assert Record.from_json(json.loads(json.dumps(reordered)), "x").sha256 == sealed.sha256
    assert record.code_version and record.catalog_version.startswith("1+sha256:")


def test_an_altered_record_is_refused_naming_it(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    path = Path(store.write(_record(exit_code=0)))
    path.write_text(path.read_text().replace('"exit_code": 0', '"exit_code": 1'))
    with pytest.raises(RecordError, match=f"{path.name}: content does not match its sha256"):
        store.read()


def test_records_are_append_only_and_0640(tmp_path: Path) -> None:
    store = open_store(tmp_path / "evidence")
    record = _record()
    path = Path(store.write(record))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    before = path.read_bytes()
    with pytest.raises(RecordExistsError, match="append-only"):
        store.write(record)
    assert path.read_bytes() == before


def test_read_filters_by_kind_and_period_oldest_first(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for days in (40, 0, 10):
        store.write(_record("drill", T0 + timedelta(days=days)))
    store.write(_record("audit", T0 + timedelta(days=5)))
    drills = store.read("drill", Period(date(2026, 7, 1), date(2026, 7, 31)))
    assert [r.started_at.date() for r in drills] == [date(2026, 7, 1), date(2026, 7, 11)]
    assert len(store.read()) == 4


def test_no_password_reaches_a_record(tmp_path: Path) -> None:
    facts = drill_facts(T0, T0, status="error",
                        reason="cannot connect to postgresql://u:hunter2-secret@h/db")
    record = Record.new(facts, T0, T0, controls=[],
                        targets={"source": "postgresql://app:hunter2-secret@db:5432/claver"})
    open_store(tmp_path).write(record)
    text = next(tmp_path.glob("*.json")).read_text()
    assert "hunter2-secret" not in text and "db:5432/claver" in text


def test_naive_times_are_refused() -> None:
    with pytest.raises(RecordError, match="time zone"):
        Record.new(audit_facts(), datetime(2026, 7, 1), datetime(2026, 7, 1), targets={},
                   controls=[])


def test_unwritable_directory_is_refused_up_front(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(InputError, match="for records: Not a directory"):
        open_store(blocker / "evidence").check_writable()


def _bucket(aws: AwsTarget, name: str, locked: bool = True) -> None:
    client("s3", aws).create_bucket(
        Bucket=name, ObjectLockEnabledForBucket=locked,
        CreateBucketConfiguration={"LocationConstraint": aws.region})


def test_s3_store_locks_each_record_and_refuses_rewrites(aws: AwsTarget,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("AWS_REGION", aws.region)
    _bucket(aws, "claver-evidence")
    store = open_store("s3://claver-evidence/records")
    store.check_writable()
    record = _record()
    url = store.write(record)
    assert url == f"s3://claver-evidence/records/{record.name}"
    head = client("s3", aws).head_object(Bucket="claver-evidence", Key=f"records/{record.name}")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=729)
    with pytest.raises(RecordExistsError, match="append-only"):
        store.write(record)
    [back] = store.read("audit")
    assert (back.id, back.facts, back.sequence) == (record.id, record.facts, 1)


def test_s3_store_refuses_a_bucket_without_object_lock(aws: AwsTarget,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("AWS_REGION", aws.region)
    _bucket(aws, "plain-bucket", locked=False)
    store = open_store("s3://plain-bucket/records")
    with pytest.raises((InputError, DependencyError), match="Object Lock"):
        store.check_writable()
    with pytest.raises((InputError, DependencyError), match="Object Lock"):
        store.write(_record())


def test_s3_store_keeps_records_at_least_as_long_as_the_bucket_default(
        aws: AwsTarget, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint_url)
    monkeypatch.setenv("AWS_REGION", aws.region)
    _bucket(aws, "long-evidence")
    client("s3", aws).put_object_lock_configuration(
        Bucket="long-evidence", ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1000}}})
    record = _record()
    open_store("s3://long-evidence").write(record)
    head = client("s3", aws).head_object(Bucket="long-evidence", Key=record.name)
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=999)
