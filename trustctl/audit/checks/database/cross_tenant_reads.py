"""TENANT-ISOLATION: as each application role, a tenant session reads no other tenant's rows
(the drill's probe, trustctl.pg.rls.cross_tenant_reads, in read-only transactions)."""

from trustctl.audit.database_reader import DatabaseReader
from trustctl.audit.live_check import CouldNotRead, Outcome, live_check
from trustctl.errors import DependencyError
from trustctl.pg import rls


@live_check(
    id="AUD_DB_4", area="database",
    name="A tenant session reads none of another tenant's rows",
    risk="Row-level security exists on paper but lets rows of other tenants through.",
    remediation="Fix the policies the probe names; re-run the audit and the drill.",
)
def check(db: DatabaseReader, out: Outcome) -> None:
    with db.session("tenant isolation probe") as conn:
        setting = rls.tenant_setting(conn, db.tenant_schemas)
        if setting is None:
            raise CouldNotRead("cannot tell which setting the policies read the tenant from")
        for role in db.app_roles:
            try:
                seen = rls.cross_tenant_reads(conn, role, setting, db.tenant_schemas,
                                                 db.tenant_column)
            except DependencyError as exc:
                raise CouldNotRead(f"isolation probe as {role}: {exc}") from None
            out.facts[role] = seen.summary(role, setting)
            for finding in seen.findings:
                out.fail(role, finding)
