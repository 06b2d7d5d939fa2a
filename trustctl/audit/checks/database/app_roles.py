"""TENANT-ISOLATION: the application roles are not superuser, lack BYPASSRLS, own no table
(the drill's rule) and cannot become a role that could (memberships)."""

from trustctl.audit.database_reader import DatabaseReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.errors import DependencyError
from trustctl.pg import rls

_MEMBERSHIPS = """
SELECT r.rolname, r.rolsuper, r.rolbypassrls,
       EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p'))
FROM pg_roles r
WHERE r.rolname <> %s AND pg_has_role(%s, r.oid, 'MEMBER')
ORDER BY 1
"""


@live_check(
    id="AUD_DB_2", area="database",
    name="Application roles cannot bypass RLS, directly or through role memberships",
    risk="The application connects as, or can SET ROLE to, a role that RLS does not bind.",
    remediation="REVOKE the membership; ALTER ROLE app NOBYPASSRLS NOSUPERUSER; give tables "
                "to an owner role the application cannot become.",
)
def check(db: DatabaseReader, out: Outcome) -> None:
    with db.session("application roles") as conn:
        for role in db.app_roles:
            try:
                for finding in rls.app_role_findings(conn, role):
                    out.fail(role, finding)
            except DependencyError:
                out.fail(role, "the application role does not exist (pass --app-role)")
                continue
            for name, superuser, bypass, owns in conn.execute(_MEMBERSHIPS, (role, role)):
                why = [w for w, on in (("superuser", superuser), ("BYPASSRLS", bypass),
                                       ("owns tables", owns)) if on]
                out.facts.setdefault(role, []).append(name)
                if why:
                    out.fail(role, f"can become {name} ({', '.join(why)})")
