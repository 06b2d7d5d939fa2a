"""BACKUP-DAILY-35D: Supabase's own backups run (PITR, or a completed backup within a day)."""

from datetime import UTC, datetime, timedelta

from trustctl.audit.live_check import Outcome, live_check
from trustctl.audit.supabase_reader import SupabaseReader
from trustctl.catalog import page_figures


@live_check(
    id="AUD_SB_5", area="supabase",
    name="Supabase's own backups run: PITR on, or a completed backup in the last "
         f"{page_figures().backup_every_days} day(s)",
    risk="Supabase holds no recent copy besides trustctl's own backups.",
    remediation="Enable point-in-time recovery (the PITR add-on) or check why the daily "
                "backup failed.",
)
def check(sb: SupabaseReader, out: Outcome) -> None:
    found = sb.get("backups", "/database/backups")
    completed = sorted(datetime.fromisoformat(b["inserted_at"].replace("Z", "+00:00"))
                       for b in found.get("backups") or [] if b.get("status") == "COMPLETED")
    newest = completed[-1] if completed else None
    out.facts.update(pitr_enabled=found.get("pitr_enabled"),
                     newest=newest.isoformat() if newest else None)
    if found.get("pitr_enabled"):
        return
    if newest is None:
        out.fail(sb.project, "no PITR and no completed backup")
    elif datetime.now(UTC) - newest > timedelta(days=page_figures().backup_every_days):
        out.fail(sb.project, f"no PITR and the newest backup is from {newest.isoformat()}")
