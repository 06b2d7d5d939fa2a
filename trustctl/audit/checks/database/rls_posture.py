"""TENANT-ISOLATION: every tenant table has the tenant column, RLS enabled and forced, a policy
(the drill's posture rule, trustctl.pg.rls.rls_posture, on the live database)."""

from trustctl.audit.database_reader import DatabaseReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.pg import rls


@live_check(
    id="AUD_DB_1", area="database",
    name="Every tenant table has tenant_id, RLS enabled and forced, and a policy",
    risk="A table without enforced row-level security lets one customer read another's rows.",
    remediation="ALTER TABLE ... ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY, and "
                "CREATE POLICY ... USING (tenant_id = <the session's tenant>).",
)
def check(db: DatabaseReader, out: Outcome) -> None:
    with db.session("RLS posture") as conn:
        posture = rls.rls_posture(conn, db.tenant_schemas, db.tenant_column)
    out.facts.update(tables=posture.tables, short=posture.short,
                     summary=posture.summary(db.tenant_schemas, db.tenant_column))
    for finding in posture.findings:
        out.fail(None, finding)
