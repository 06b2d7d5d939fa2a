"""A simulated quarter of records, written through the record store like the real flows do.

90 days from 2026-07-01: daily backups but two missing days, weekly gate runs and audits (one
audit failure fixed a day later), a failing drill then a passing one, an access review, an
exception in force and an expired one, attestations valid and one expired.
Run as a script (`python -m tests.evidence.quarter DIR`) to make the demo for screenshots.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import yaml
from sample_facts import access_review_facts, audit_facts, backup_facts, drill_facts, gate_facts

from trustctl.records import Record, RecordStore, open_store

START = dt.date(2026, 7, 1)
END = START + dt.timedelta(days=89)  # 2026-09-28
MISSED_BACKUPS = (dt.date(2026, 7, 15), dt.date(2026, 8, 20))
FAILED_AUDIT = dt.date(2026, 8, 6)  # TLS-MIN fails; the audit of the next day passes
FAILING_DRILL, PASSING_DRILL = dt.date(2026, 7, 10), dt.date(2026, 8, 25)
ACCESS_REVIEW = dt.date(2026, 8, 3)
AUDITED = ("TLS-MIN", "HSTS", "ENC-AT-REST", "BACKUP-KEY-SEPARATE", "STAFF-ACCESS",
           "ACCESS-LOGGED", "WAF", "AUTH-RATE-LIMIT")
GATED = ("TLS-MIN", "HSTS", "ENC-AT-REST", "PRIVATE-NETWORK", "NO-PUBLIC-DB", "STAFF-ACCESS")


def at(day: dt.date, hour: int = 2) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.UTC)


def result(control: str, status: str, message: str = "") -> dict:
    findings = [{"message": message}] if message else []
    return {"id": control, "status": status, "findings": findings}


def backup(day: dt.date) -> Record:
    started, finished = at(day), at(day) + dt.timedelta(minutes=12)
    return Record.new(backup_facts(started, finished), started, finished,
                      record_id=f"{day:%Y%m%d}T020000Z-b", targets={"bucket": "claver-backups"},
                      controls=[result("BACKUP-DAILY-35D", "pass")])


def audit(day: dt.date, failing: tuple[str, ...] = ()) -> Record:
    return Record.new(
        audit_facts(1 if failing else 0), at(day, 6), at(day, 6) + dt.timedelta(minutes=4),
        record_id=f"{day:%Y%m%d}T060000Z-a", targets={"aws_account": "123456789012"},
        controls=[result(c, "fail" if c in failing else "pass",
                         "min TLS version 1.0 on claver.app" if c in failing else "")
                  for c in AUDITED])


def gate(day: dt.date) -> Record:
    controls = [result(c, "excepted" if c == "NO-PUBLIC-DB" else "pass") for c in GATED]
    controls.append(result("TENANT-ISOLATION", "not_applicable"))  # not the gate's business
    return Record.new(gate_facts(), at(day, 9), at(day, 9) + dt.timedelta(minutes=2),
                      record_id=f"{day:%Y%m%d}T090000Z-g",
                      targets={"origin": "program", "stack": "prod"},
                      provenance={"gate": {"input": "program", "paths": ["."], "stack": "prod",
                                           "commit": "0" * 40, "clean": True}},
                      controls=controls)


def drill(day: dt.date, rto_hours: float) -> Record:
    met = rto_hours <= 4
    status = "pass" if met else "fail"
    controls = [result("TENANT-ISOLATION", "pass"), result("BACKUP-DAILY-35D", "pass"),
                result("RESTORE-DRILL", status, "" if met else "restore took too long"),
                result("RPO-RTO", status, "" if met else f"RTO {rto_hours} h > 4 h"),
                result("DATA-EXPORT", "pass")]
    started, finished = at(day, 10), at(day, 10) + dt.timedelta(hours=rto_hours)
    return Record.new(
        drill_facts(started, finished, status=status, rto_seconds=rto_hours * 3600),
        started, finished, record_id=f"{day:%Y%m%d}T100000Z-d",
        targets={"backup_bucket": "claver-backups"}, controls=controls)


def access_review(day: dt.date) -> Record:
    return Record.new(access_review_facts(at(day - dt.timedelta(days=90)), at(day)),
                      at(day, 14), at(day, 15),
                      record_id=f"{day:%Y%m%d}T140000Z-r", targets={"aws_account": "1234"},
                      controls=[result("ACCESS-REVIEW", "pass")])


def write_quarter(store: RecordStore, *, drills: bool = True,
                  last_audit_fails: bool = False) -> None:
    day = START
    while day <= END:
        if day not in MISSED_BACKUPS:
            store.write(backup(day))
        day += dt.timedelta(days=1)
    weekly = [START + dt.timedelta(days=7 * i + 1) for i in range(13)]
    for week in weekly:
        store.write(gate(week))
        store.write(audit(week, ("TLS-MIN",) if week == FAILED_AUDIT else ()))
    store.write(audit(FAILED_AUDIT + dt.timedelta(days=1)))
    if last_audit_fails:
        store.write(audit(END, ("HSTS",)))
    if drills:
        store.write(drill(FAILING_DRILL, rto_hours=5.5))
        store.write(drill(PASSING_DRILL, rto_hours=1.25))
    store.write(access_review(ACCESS_REVIEW))


def write_policies(directory: Path) -> tuple[Path, Path]:
    """An exceptions file (one in force, one expired) and attestations (one expired)."""
    exceptions = directory / "exceptions.yaml"
    exceptions.write_text(yaml.safe_dump({"exceptions": [
        {"control": "NO-PUBLIC-DB", "resource": "legacy-reporting-db", "owner": "platform",
         "reason": "read replica behind an allow-listed NAT until Q4 (TICKET-123)",
         "added": "2026-10-05", "expires": "2026-12-31"},
        {"control": "PRIVATE-NETWORK", "resource": "bastion-subnet", "owner": "platform",
         "reason": "temporary bastion during the VPC migration", "added": "2026-06-10",
         "expires": "2026-09-01"},
    ]}))
    attestations = directory / "attestations"
    attestations.mkdir()
    for name, control, until in (("incident", "INCIDENT-72H", "2027-03-31"),
                                 ("review", "CHANGE-CONTROL", "2027-03-31"),
                                 ("reason", "ACCESS-LOGGED", "2026-09-01")):
        (attestations / f"{name}.yaml").write_text(yaml.safe_dump({
            "control": control, "statement": f"{control} holds", "attested_by": "CTO",
            "attested_on": "2026-06-15", "valid_until": until,
            "evidence": "SOC 2 evidence folder"}))
    return exceptions, attestations


if __name__ == "__main__":
    target = Path(sys.argv[1])
    write_quarter(open_store(target / "records"))
    write_policies(target)
    print(target)
