"""The drill's production guard: a scratch server that holds the production database is refused
before anything is created on it.

Production is known by what the backup bucket's writer cannot set: the production DSNs the
drill is configured with (their host and port) and the backup's authenticated manifest, which
recorded, when production was dumped, its DSN, its system identifier, its database name and the
address the server itself reported. A scratch server is refused when

- it is reached at the host and port of a production DSN (loopback spellings count as one);
- its system identifier (`pg_control_system()`) is the source's: the same cluster however it
  is reached (a pooler, a proxy, another name or address) or a physical replica of it;
- the source's identifier was unreadable at backup time (pg/identity.py) and the scratch
  server reports the source's own address and port, or holds a database of the source's name
  (the maintenance databases every server has excepted): it cannot be told apart;
- its own identifier cannot be read: nothing would tell it apart from production.

Past the guard the drill restores only into a database it creates there from template0 (empty
by construction), or into an embedded server it started itself.
"""

from __future__ import annotations

from trustctl.dsn import Dsn
from trustctl.errors import InputError
from trustctl.pg.connect import connect
from trustctl.pg.identity import ServerIdentity, server_identity

MAINTENANCE_DATABASES = frozenset({"postgres", "template0", "template1"})
USE_OTHER = "use another scratch server, or none (the drill then starts its own)"


def refuse_production(scratch: Dsn, production: list[Dsn], source: ServerIdentity | None) -> str:
    """How the scratch server was told apart from production (for the record); InputError
    naming the reason when it is production or cannot be told apart."""
    for prod in production:
        if scratch.same_host(prod):
            raise _refused(scratch, f"it is the production server ({prod})")
    if source is None:
        raise _refused(scratch, "the backup recorded no identity of its source server")
    with connect(scratch, autocommit=True) as conn:
        found = server_identity(conn, scratch)
        databases = {name for (name,) in conn.execute("SELECT datname FROM pg_database")}
    if found.system_identifier is None:
        raise _refused(scratch, f"its system identifier cannot be read ({found.unreadable}), so "
                                "nothing tells it apart from production",
                       "grant the drill's role EXECUTE on pg_control_system() there, or "
                       + USE_OTHER)
    if source.system_identifier is not None:
        if found.system_identifier == source.system_identifier:
            raise _refused(scratch, f"it holds the production database {source.database}: its "
                                    f"system identifier {found.system_identifier} is the backup "
                                    "source's")
        return (f"not production: system identifier {found.system_identifier}, the source's is "
                f"{source.system_identifier}")
    return _told_apart_without_identifier(scratch, found, databases, source)


def _told_apart_without_identifier(scratch: Dsn, found: ServerIdentity, databases: set[str],
                                   source: ServerIdentity) -> str:
    same_address = (source.server_address is not None
                    and (found.server_address, found.server_port)
                    == (source.server_address, source.server_port))
    if same_address:
        raise _refused(scratch, f"it reports the production server's address "
                                f"{source.server_address}:{source.server_port}")
    if source.database not in MAINTENANCE_DATABASES and source.database in databases:
        raise _refused(scratch, f"it holds a database named {source.database}, like production, "
                                "and production's system identifier was not recorded")
    return (f"not production by address and database name only (production's system identifier "
            f"was not recorded: {source.unreadable})")


def _refused(scratch: Dsn, why: str, advice: str = USE_OTHER) -> InputError:
    return InputError(f"refusing scratch target {scratch}: {why}; {advice}")
