"""RPO-RTO: the newest complete backup (one with a manifest) is younger than the RPO."""

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.records_reader import RecordsReader
from trustctl.catalog import page_figures
from trustctl.roles.rules import ROLE, none_decided


@live_check(
    id="AUD_REC_1", area="records",
    name=f"The newest complete backup is younger than the RPO ({page_figures().rpo_hours:g} h)",
    risk="A restore today would lose more than a day of data.",
    remediation="Run `trustctl backup run` daily (the scheduled workflow) and fix the last "
                "failed run.",
)
def check(records: RecordsReader, out: Outcome) -> None:
    judge_backup_age(records, out, "backup")


def judge_backup_age(records: RecordsReader, out: Outcome, role: str) -> None:
    """Each bucket whose trustctl:role is `role` (tagged or inferred) holds a complete backup
    younger than the RPO."""
    latest = records.latest_backups(role)
    if not latest:
        out.fail(None, none_decided("bucket", ROLE, role))
    for bucket, manifest in latest.items():
        if manifest is None:
            out.fail(bucket, "holds no complete backup")
            continue
        age = records.now - manifest.finished
        out.facts[bucket] = {"backup_id": manifest.backup_id, "finished_at": manifest.finished_at,
                             "age_hours": round(age.total_seconds() / 3600, 2)}
        if age > records.rpo:
            out.fail(bucket, f"newest complete backup {manifest.backup_id} is "
                             f"{age.total_seconds() / 3600:.1f} h old: RPO of "
                             f"{records.rpo.total_seconds() / 3600:g} h exceeded")
