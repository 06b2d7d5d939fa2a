"""RPO-RTO: the newest complete backup in the recovery region is younger than the RPO."""

from trustctl.archive.recovery import REPLICA_ROLE
from trustctl.audit.checks.records.latest_backup_age import judge_backup_age
from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.records_reader import RecordsReader
from trustctl.catalog import page_figures


@live_check(
    id="AUD_REC_5", area="records",
    name="The replica's newest complete backup is younger than the RPO "
         f"({page_figures().rpo_hours:g} h)",
    risk="During an outage of the primary region a restore would lose more than a day of data.",
    remediation="Fix replication to the recovery region (see AUD_REC_4) and the daily backup "
                "(AUD_REC_1); `trustctl drill --region-outage` rehearses the recovery.",
)
def check(records: RecordsReader, out: Outcome) -> None:
    judge_backup_age(records, out, REPLICA_ROLE)
