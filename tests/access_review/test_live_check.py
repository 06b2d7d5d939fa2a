"""The ACCESS-REVIEW live check the audit calls: recent review recorded, removals done."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from trustctl.access_review import live_check, record, review_file
from trustctl.access_review.inventory import Access, Inventory, ReadError
from trustctl.access_review.prepare import Sources
from trustctl.dsn import Dsn
from trustctl.errors import InputError
from trustctl.records import RecordStore, open_store
from trustctl.report.results import Status

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ALICE = Access("postgres:alice", "db-role", "postgres:claver/public", "read")
BOB = Access("postgres:bob", "db-role", "postgres:claver/public", "write", ["member of ops"])


def recorded(directory, days_ago: int, decisions: dict[str, str], errors=()) -> None:
    """A completed review of ALICE and BOB, recorded `days_ago` days before NOW."""
    rows = [{"id": a.id, "principal": a.principal, "resource": a.resource, "level": a.level,
             "via": a.via, "decision": decisions.get(a.principal, "keep"), "reason": "r",
             "reviewer": "carol"} for a in (ALICE, BOB)]
    when = NOW - timedelta(days=days_ago)
    path = directory / f"review-{days_ago}.yaml"
    review_file.write({"format": review_file.FORMAT, "review_id": f"{when:%Y%m%dT%H%M%SZ}",
                       "prepared_at": when.isoformat(), "sources": {}, "targets": {},
                       "period": {"start": (when - timedelta(days=90)).isoformat(),
                                  "end": when.isoformat()},
                       "inputs": {"roster": {"path": "r", "sha256": "0"}},
                       "errors": list(errors), "findings": [], "reads": [],
                       "changes": {"since": None}, "rows": rows,
                       "environment": {"name": "production"}}, path, {})
    records(directory).write(record.build(path, when))


def records(directory) -> RecordStore:
    return open_store(directory / "evidence")


def live(*accesses: Access, errors: tuple = ()) -> Inventory:
    return Inventory(accesses=list(accesses), errors=list(errors))


def test_a_recent_review_with_its_removals_done_passes(tmp_path):
    recorded(tmp_path, 10, {"postgres:bob": "remove"})
    result = live_check.check(records(tmp_path), live(ALICE), NOW)
    assert (result.status, result.findings, result.checks) == (Status.PASS, [],
                                                               ["AUD_ACCESS_REVIEW_1"])


def test_no_review_recorded_fails(tmp_path):
    result = live_check.check(records(tmp_path), live(ALICE), NOW)
    assert result.status is Status.FAIL
    assert result.findings[0].message.startswith("no completed access review recorded")


def test_a_review_older_than_92_days_fails(tmp_path):
    recorded(tmp_path, 93, {})
    result = live_check.check(records(tmp_path), live(ALICE, BOB), NOW)
    assert result.status is Status.FAIL
    assert "recorded 93 days ago, more than 92" in result.findings[0].message


def test_a_removal_still_in_force_fails(tmp_path):
    recorded(tmp_path, 10, {"postgres:bob": "remove"})
    result = live_check.check(records(tmp_path), live(ALICE, BOB), NOW)
    assert result.status is Status.FAIL
    assert [f.resource for f in result.findings] == ["postgres:bob"]


def test_a_reduction_not_made_fails_until_the_level_or_the_grant_changes(tmp_path):
    recorded(tmp_path, 10, {"postgres:bob": "reduce"})
    unchanged = live_check.check(records(tmp_path), live(ALICE, BOB), NOW)
    assert unchanged.status is Status.FAIL
    assert [f.message for f in unchanged.findings] == [
        f"{BOB.id} was to be reduced (review {record.latest(records(tmp_path)).id}, by carol) "
        "and is unchanged (write)"]
    wider = replace(BOB, level="admin")
    assert live_check.check(records(tmp_path), live(ALICE, wider), NOW).status is Status.FAIL
    for done in (replace(BOB, level="read"), replace(BOB, via=["member of readers"])):
        assert live_check.check(records(tmp_path), live(ALICE, done), NOW).status is Status.PASS
    assert live_check.check(records(tmp_path), live(ALICE), NOW).status is Status.PASS


def test_the_latest_counted_review_is_the_one_judged(tmp_path):
    recorded(tmp_path, 100, {"postgres:bob": "remove"})
    recorded(tmp_path, 5, {}, errors=[{"source": "database", "what": "roles",
                                       "message": "refused"}])  # incomplete: not counted
    result = live_check.check(records(tmp_path), live(ALICE, BOB), NOW)
    assert result.status is Status.FAIL
    assert len(result.findings) == 2  # too old, and its removal not done


def test_unreadable_live_state_is_an_error_when_nothing_failed(tmp_path):
    recorded(tmp_path, 10, {"postgres:bob": "remove"})
    inventory = live(ALICE, errors=(ReadError("database", "roles", "refused"),))
    result = live_check.check(records(tmp_path), inventory, NOW)
    assert result.status is Status.ERROR
    assert result.findings[0].message.startswith(
        "not read, so removals and reductions there are unverified")


def test_an_altered_record_is_refused(tmp_path):
    recorded(tmp_path, 10, {})
    [path] = (tmp_path / "evidence").glob("*.json")
    path.write_text(path.read_text().replace('"keep"', '"remove"'))
    with pytest.raises(InputError, match="altered record"):
        live_check.check(records(tmp_path), live(ALICE), NOW)


def test_from_sources_an_unreachable_database_leaves_the_removals_unverified(tmp_path):
    recorded(tmp_path, 10, {"postgres:bob": "remove"})
    sources = Sources(dsn=Dsn.parse("postgresql://auditor:pw@127.0.0.1:9/claver", "test"),
                      skipped={"aws": "not in this test", "cloudflare": "not in this test"})
    result = live_check.check_live(records(tmp_path), sources, now=NOW)
    assert result.status is Status.ERROR
    assert "database: roles and grants of postgresql://auditor@127.0.0.1:9/claver" in \
        result.findings[0].message
