"""ACCESS-LOGGED: reads of tenant tables by the application roles are logged: pgaudit
(loaded, pgaudit.log including read) or log_statement = all, for the server or the role."""

from trustctl.audit.database_reader import DatabaseReader
from trustctl.audit.live_check import Outcome, live_check

_ROLE_SETTINGS = """
SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
WHERE r.rolname = %s AND s.setdatabase IN (0, (SELECT oid FROM pg_database
                                               WHERE datname = current_database()))
"""


@live_check(
    id="AUD_DB_5", area="database",
    name="Reads by the application roles are logged (pgaudit read, or log_statement all)",
    risk="Reads of customer data leave no trail in the database's logs.",
    remediation="Load pgaudit (shared_preload_libraries, CREATE EXTENSION pgaudit) and set "
                "pgaudit.log = 'read, write' for the application roles (Supabase: "
                "ALTER ROLE authenticated SET pgaudit.log TO 'read, write').",
)
def check(db: DatabaseReader, out: Outcome) -> None:
    roles = db.app_roles  # the judgment's (read before this check takes the connection)
    with db.session("logging settings") as conn:
        server = {name: conn.execute("SELECT current_setting(%s, true)", (name,)).fetchone()[0]
                  for name in ("log_statement", "pgaudit.log", "shared_preload_libraries")}
        per_role = {role: dict(entry.split("=", 1) for (entry,) in
                               conn.execute(_ROLE_SETTINGS, (role,)))
                    for role in roles}
    out.facts.update(server=server, roles=per_role)
    pgaudit_loaded = "pgaudit" in (server["shared_preload_libraries"] or "")
    for role in roles:
        settings = {**server, **per_role[role]}
        audit_classes = {c.strip().lower() for c in (settings.get("pgaudit.log") or "").split(",")}
        if pgaudit_loaded and audit_classes & {"read", "all"}:
            continue
        if (settings.get("log_statement") or "").lower() == "all":
            continue
        out.fail(role, "its reads are not logged: no pgaudit.log read/all with pgaudit "
                       "loaded, and log_statement is "
                       f"{settings.get('log_statement') or 'none'}")
