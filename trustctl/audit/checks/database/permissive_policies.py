"""TENANT-ISOLATION: no policy on a tenant table admits every row (USING (true))."""

from trustctl.audit.database_reader import DatabaseReader
from trustctl.audit.live_check import Outcome, live_check

_ALL_ROWS = """
SELECT schemaname || '.' || tablename, policyname, cmd, roles::text[],
       coalesce(qual, ''), coalesce(with_check, '')
FROM pg_policies
WHERE schemaname = ANY(%s) AND permissive = 'PERMISSIVE'
ORDER BY 1, 2
"""
TRUE = {"true", "(true)"}


@live_check(
    id="AUD_DB_3", area="database",
    name="No permissive policy on a tenant table admits every row (USING (true))",
    risk="A policy that is always true turns RLS off for the roles it names.",
    remediation="Drop the policy or make it compare tenant_id with the session's tenant.",
)
def check(db: DatabaseReader, out: Outcome) -> None:
    with db.session("policies") as conn:
        rows = conn.execute(_ALL_ROWS, (db.tenant_schemas,)).fetchall()
    out.facts["policies"] = len(rows)
    for table, name, command, roles, using, with_check in rows:
        clauses = [c for c, text in (("USING", using), ("WITH CHECK", with_check))
                   if text.strip().lower() in TRUE]
        if clauses:
            out.fail(table, f"policy {name} ({command}, to {', '.join(roles)}) has "
                            f"{' and '.join(clauses)} (true): every row is admitted")
