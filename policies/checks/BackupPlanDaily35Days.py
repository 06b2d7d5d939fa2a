"""The AWS Backup plan runs at least daily and keeps recovery points the promised days (the
catalog's BACKUP-DAILY-35D figures)."""

import re
from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import (
    RETENTION_DAYS,
    Metadata,
    TrustCheck,
    attr,
    figure,
    items,
    number,
    shown,
)

EVERY_DAYS = figure("BACKUP-DAILY-35D", "every_days")  # "Daily"

METADATA = Metadata(
    severity="CRITICAL",
    risk=f"Data written between backups, or backups deleted before {RETENTION_DAYS} days, "
    "cannot be recovered.",
    remediation=(
        "Give aws_backup_plan a rule whose schedule runs every day (e.g. cron(0 3 * * ? *)) "
        f"and make every rule's lifecycle.delete_after >= {RETENTION_DAYS}."
    ),
)

EVERY = {"*", "?"}
CRON = re.compile(r"^cron\((?P<fields>[^)]*)\)$")
RATE = re.compile(r"^rate\((?P<count>\d+) (?P<unit>minutes?|hours?|days?)\)$")
UNIT_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


def runs_daily(schedule: str | None) -> bool:
    """True when an AWS Backup schedule fires at least once on every calendar day."""
    schedule = (schedule or "").strip()
    rate = RATE.match(schedule)
    if rate:
        hours = int(rate["count"]) * UNIT_HOURS[rate["unit"].rstrip("s")]
        return 0 < hours <= EVERY_DAYS * UNIT_HOURS["day"]
    cron = CRON.match(schedule)
    if not cron:
        return False
    fields = cron["fields"].split()
    if len(fields) != 6:
        return False
    _minute, _hour, day_of_month, month, day_of_week, _year = fields
    return day_of_month in EVERY and month == "*" and day_of_week in EVERY


class BackupPlanDaily35Days(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_12",
            name="Ensure the AWS Backup plan has a daily rule and keeps backups "
            f">= {RETENTION_DAYS} days",
            category=CheckCategories.BACKUP_AND_RECOVERY,
            resources=["aws_backup_plan"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        rules = items(conf, "rule")
        found = []
        if not any(runs_daily(attr(rule, "schedule")) for rule in rules):
            found.append("no rule runs every day")
        for rule in rules:
            delete_after = number(attr(rule, "lifecycle", "delete_after"))
            if delete_after is not None and delete_after < RETENTION_DAYS:
                found.append(
                    f"rule {attr(rule, 'rule_name')} deletes after {shown(delete_after)} days"
                )
        return found


check = BackupPlanDaily35Days()
