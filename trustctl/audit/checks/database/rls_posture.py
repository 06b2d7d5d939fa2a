"""TENANT-ISOLATION: every tenant table has its tenant, RLS enabled, and is out of every
application role's ownership; global tables are reviewed and read-only (the drill's posture
rule through trustctl.pg.judgment, on the live database)."""

from trustctl.audit.database_reader import DatabaseReader
from trustctl.audit.live_check import CouldNotRead, Outcome, live_check


@live_check(
    id="AUD_DB_1", area="database",
    name="Every tenant table has its tenant and RLS enabled; global tables are read-only",
    risk="A table without enforced row-level security lets one customer read another's rows.",
    remediation="ALTER TABLE ... ENABLE ROW LEVEL SECURITY and CREATE POLICY ... USING "
                "(<the row's tenant> = <the session's tenant>); declare the table's tenant "
                "(tenant_columns, via) or declare it global in policies/tenancy.yaml.",
)
def check(db: DatabaseReader, out: Outcome) -> None:
    assessment = db.assessment()
    posture = assessment.posture
    out.facts.update(summary=posture.summary(assessment.tenancy), **posture.facts())
    for finding in posture.shortfalls:
        if finding.kind == "table":
            out.fail(finding.table, finding.message)
    undecided = [posture.ownership.ambiguous[t] for t in posture.undecided]
    if undecided:
        raise CouldNotRead(undecided[0])
