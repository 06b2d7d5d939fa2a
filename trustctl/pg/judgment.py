"""The one tenant-isolation judgment, used by the drill (on a restored copy) and the audit (on
the live database, read-only): the same tenancy, posture rule and read probe give one verdict
on one database.

- `assess`: the tenancy completed from the database (tenancy.autodetect) and the posture rule
  (posture.py), per command, with the tables' tenants (ownership.py).
- `reads`: the read probe (isolation.py) in rolled-back tenant sessions.
- Writes are judged by posture everywhere; only the drill, on its scratch copy, also tries them
  (writes.py): the audit never writes to the database it judges.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from trustctl.pg.isolation import Isolation, cross_tenant_reads
from trustctl.pg.posture import Posture, rls_posture
from trustctl.pg.tenancy import Tenancy, autodetect


@dataclass(frozen=True)
class Assessment:
    """The tenancy as completed from the database, and the posture it was judged by."""

    tenancy: Tenancy
    posture: Posture

    def facts(self) -> dict:
        return {"tenancy": self.tenancy.to_json(), **self.posture.facts()}


def assess(conn: psycopg.Connection, tenancy: Tenancy) -> Assessment:
    """Completes the tenancy from the database and applies the posture rule."""
    completed = autodetect(conn, tenancy)
    return Assessment(completed, rls_posture(conn, completed))


def reads(conn: psycopg.Connection, assessment: Assessment) -> Isolation:
    """The read probe over the tenant tables the posture found (DependencyError: not shown)."""
    return cross_tenant_reads(conn, assessment.tenancy, assessment.posture)
