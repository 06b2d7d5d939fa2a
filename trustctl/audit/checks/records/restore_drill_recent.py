"""RESTORE-DRILL: a restore drill passed within the last quarter (the catalog's days)."""

from datetime import timedelta

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.records_reader import RecordsReader
from trustctl.catalog import page_figures


@live_check(
    id="AUD_REC_2", area="records",
    name=f"A passing restore drill record is at most {page_figures().drill_every_days} days "
         "old",
    risk="Backups exist but nobody has proven lately that they restore.",
    remediation="Run `trustctl drill` (the quarterly workflow) and keep its record in the "
                "evidence directory.",
)
def check(records: RecordsReader, out: Outcome) -> None:
    drills = records.drill_records()
    passing = [d for d in drills if d.drill.status == "pass"]
    out.facts.update(drills=len(drills), passing=len(passing))
    if not passing:
        out.fail(str(records.store), f"no passing drill record ({len(drills)} drill "
                                            "record(s) in all)")
        return
    newest = passing[0]
    age = records.now - newest.drill.finished_at
    out.facts["newest_passing"] = {"path": newest.path,
                                   "finished_at": newest.drill.finished_at.isoformat(),
                                   "age_days": round(age.total_seconds() / 86400, 1)}
    quarter = page_figures().drill_every_days
    if age > timedelta(days=quarter):
        out.fail(newest.path, f"newest passing drill is {age.days} days old (over {quarter})")
