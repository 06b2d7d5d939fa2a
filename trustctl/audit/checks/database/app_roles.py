"""TENANT-ISOLATION: the application roles are not superuser, lack BYPASSRLS, cannot become a
role that bypasses RLS (the drill's rule, trustctl.pg.judgment) nor one that owns tables."""

from trustctl.audit.database_reader import DatabaseReader
from trustctl.audit.live_check import Outcome, live_check

_OWNERS = """
SELECT r.rolname FROM pg_roles r
WHERE r.rolname <> %s AND pg_has_role(%s, r.oid, 'MEMBER')
  AND EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p'))
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
    posture = db.assessment().posture
    out.facts["application_roles"] = posture.app_roles
    for role in db.tenancy.app_roles or posture.app_roles:
        if role not in posture.app_roles:
            out.fail(role, "the application role does not exist (pass --app-role)")
    for finding in posture.shortfalls:
        if finding.kind == "role":
            out.fail(finding.message.split()[2], finding.message)
    with db.session("application roles") as conn:
        for role in posture.app_roles:
            for (owner,) in conn.execute(_OWNERS, (role, role)):
                out.fail(role, f"can become {owner} (owns tables)")
