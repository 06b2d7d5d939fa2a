"""TENANT-ISOLATION: no policy on a tenant table admits every row for the command it governs
(per command: SELECT/UPDATE/DELETE by USING, INSERT/UPDATE by WITH CHECK; the drill's rule)."""

from trustctl.audit.database_reader import DatabaseReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_DB_3", area="database",
    name="No policy on a tenant table admits every tenant's rows (true, auth.role() = ...)",
    risk="A policy that is always true turns RLS off for the roles and command it names.",
    remediation="Drop the policy or make it compare the row's tenant with the session's.",
)
def check(db: DatabaseReader, out: Outcome) -> None:
    posture = db.assessment().posture
    policies = [f for f in posture.shortfalls if f.kind == "policy"]
    out.facts["policy_findings"] = len(policies)
    for finding in policies:
        out.fail(finding.table, finding.message)
