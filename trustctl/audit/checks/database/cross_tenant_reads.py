"""TENANT-ISOLATION: as each application role, a tenant session reads no other tenant's rows
(the drill's probe through trustctl.pg.judgment, in read-only transactions rolled back)."""

from trustctl.audit.database_reader import DatabaseReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_DB_4", area="database",
    name="A tenant session reads none of another tenant's rows",
    risk="Row-level security exists on paper but lets rows of other tenants through.",
    remediation="Fix the policies the probe names; re-run the audit and the drill.",
)
def check(db: DatabaseReader, out: Outcome) -> None:
    seen = db.reads()
    out.facts.update(summary=seen.summary(), **seen.facts())
    for finding in seen.findings:
        out.fail(finding.split(":", 1)[0].removeprefix("table "), finding)
