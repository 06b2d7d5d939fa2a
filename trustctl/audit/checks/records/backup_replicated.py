"""RPO-RTO: the newest backup has reached the recovery region (a regional outage spares it)."""

from trustctl.archive.recovery import REPLICA_ROLE
from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.records_reader import RecordsReader
from trustctl.roles.rules import BACKUP, ROLE, none_decided


@live_check(
    id="AUD_REC_4", area="records",
    name="The newest backup is replicated to the recovery region",
    risk="An outage of the primary region takes the newest backup with it: the recovery starts "
         "from an older one, or from nothing.",
    remediation="Check the backup bucket's replication rule and the replication role "
                "(aws s3api get-bucket-replication; the object's ReplicationStatus), and the "
                "replica bucket's key policy; `pulumi up` restores infra's declaration.",
)
def check(records: RecordsReader, out: Outcome) -> None:
    backups = records.replication()
    if not backups:
        out.fail(None, none_decided("bucket", ROLE, BACKUP))
    for backup in backups:
        bucket = backup["bucket"]
        out.facts[bucket] = backup
        if backup["backup_id"] is None:
            out.fail(bucket, "holds no complete backup to replicate")
        elif not backup["replicas"]:
            out.fail(bucket, f"no replica bucket ({ROLE}={REPLICA_ROLE}) in the recovery "
                             "region")
        elif not any(backup["copies"].values()):
            out.fail(bucket, f"newest backup {backup['backup_id']} is not in "
                             f"{', '.join(backup['replicas'])} (no dump of the same size "
                             "with its manifest there)")
