"""BACKUP-DAILY-35D: an AWS Backup plan backs up daily and keeps recovery points 35 days."""

import re

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.promises import BACKUP_RETENTION_DAYS

DAILY = re.compile(r"^cron\(\s*\S+\s+\S+\s+\*\s+\*\s+\?\s+\*\s*\)$")


@live_check(
    id="AUD_AWS_9", area="aws",
    name="A daily AWS Backup rule keeps recovery points for 35 days",
    risk="File storage is backed up less than daily, or recovery points vanish early.",
    remediation="Add a backup rule with ScheduleExpression cron(M H * * ? *) and "
                "Lifecycle DeleteAfterDays 35 to the plan covering the file storage.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    plans = aws.backup_plans()
    rules = [(p["BackupPlan"]["BackupPlanName"], r) for p in plans
             for r in p["BackupPlan"].get("Rules", [])]
    out.facts["rules"] = [{"plan": name, "schedule": r.get("ScheduleExpression"),
                           "delete_after_days": r.get("Lifecycle", {}).get("DeleteAfterDays")}
                          for name, r in rules]
    good = [name for name, r in rules if DAILY.match(r.get("ScheduleExpression", "").strip())
            and (r.get("Lifecycle", {}).get("DeleteAfterDays") or 0) >= BACKUP_RETENTION_DAYS]
    if not good:
        out.fail(None, f"no backup rule runs daily and keeps recovery points "
                       f"{BACKUP_RETENTION_DAYS} days ({len(rules)} rule(s) in "
                       f"{len(plans)} plan(s))")
