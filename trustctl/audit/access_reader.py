"""What the ACCESS-REVIEW check reads: the access-review records in the audit's record store,
and who holds production access now, read from the audit's own AWS, database and Cloudflare
settings through the access review's collectors (the same code `access-review prepare` runs).

A source the audit skips (--skip) is left out of the review's live side too, and said so in
the facts; a source the audit was asked for but could not reach leaves the removals there
unverified (the check is `error` unless something failed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from trustctl.access_review import live_check, record
from trustctl.access_review.prepare import Sources
from trustctl.audit.live_check import CouldNotRead
from trustctl.errors import DependencyError
from trustctl.records import RecordError, RecordStore
from trustctl.report.results import ControlResult


class AccessReader:
    def __init__(self, store: RecordStore, sources: Sources) -> None:
        self.store = store
        self.sources = sources
        self.now = datetime.now(UTC)

    def describe(self) -> dict[str, Any]:
        """Where the records and the live principals are read (no password, no token)."""
        s = self.sources
        return {"evidence": str(self.store),
                "aws": {"region": s.aws.region, "endpoint": s.aws.endpoint_url,
                        "profile": s.aws.profile} if s.aws else None,
                "database": str(s.dsn) if s.dsn else None,
                "cloudflare": {"account": s.cloudflare.account_id or None,
                               "zone": s.cloudflare.zone_id, "base_url": s.cloudflare.base_url}
                if s.cloudflare else None,
                "skipped": dict(s.skipped), "not_configured": dict(s.missing)}

    def judge(self) -> ControlResult:
        """The latest counted review against the principals live now (see live_check)."""
        try:
            return live_check.check_live(self.store, self.sources, now=self.now)
        except (RecordError, DependencyError, OSError) as exc:
            raise CouldNotRead(f"{record.KIND} records in {self.store}: {exc}") from None
