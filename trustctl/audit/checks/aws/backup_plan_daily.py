"""BACKUP-DAILY-35D: an AWS Backup plan backs up daily and keeps recovery points 35 days."""

import re

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.catalog import page_figures

DAILY = re.compile(r"^cron\(\s*\S+\s+\S+\s+\*\s+\*\s+\?\s+\*\s*\)$")
_DAYS = page_figures().backup_retention_days  # in the words below; the check reads it anew


@live_check(
    id="AUD_AWS_9", area="aws",
    name=f"A daily AWS Backup rule keeps recovery points for {_DAYS} days",
    risk="File storage is backed up less than daily, or recovery points vanish early.",
    remediation="Add a backup rule with ScheduleExpression cron(M H * * ? *) and "
                f"Lifecycle DeleteAfterDays {_DAYS} to the plan covering the file storage.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    days = page_figures().backup_retention_days
    plans = aws.backup_plans()
    rules = [(p["BackupPlan"]["BackupPlanName"], r) for p in plans
             for r in p["BackupPlan"].get("Rules", [])]
    out.facts["rules"] = [{"plan": name, "schedule": r.get("ScheduleExpression"),
                           "delete_after_days": r.get("Lifecycle", {}).get("DeleteAfterDays")}
                          for name, r in rules]
    good = [name for name, r in rules if DAILY.match(r.get("ScheduleExpression", "").strip())
            and (r.get("Lifecycle", {}).get("DeleteAfterDays") or 0) >= days]
    if not good:
        out.fail(None, f"no backup rule runs daily and keeps recovery points "
                       f"{days} days ({len(rules)} rule(s) in "
                       f"{len(plans)} plan(s))")
