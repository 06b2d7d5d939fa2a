"""Schemas a backup may leave out, and Supabase's own list.

On Supabase the backup connects as `postgres`, which is not a superuser: schemas that Supabase
manages for itself are unreadable to it (`vault`: permission denied) or hold no customer data
(the realtime, analytics and function-hook plumbing, migration bookkeeping). Supabase's own
tooling leaves them out of dumps; `--exclude-supabase-internal` does the same. `auth` and
`storage` stay in: they hold customers' users and file records.
"""

from __future__ import annotations

SUPABASE_INTERNAL_SCHEMAS = (
    "_analytics", "_realtime", "_supavisor", "graphql", "graphql_public", "net", "pgbouncer",
    "pgsodium", "pgsodium_masks", "realtime", "supabase_functions", "supabase_migrations",
    "vault",
)


def excluded_schemas(names: list[str] | None, supabase_internal: bool) -> tuple[str, ...]:
    """The schemas to leave out, in a stable order, each once."""
    chosen = [*(names or []), *(SUPABASE_INTERNAL_SCHEMAS if supabase_internal else ())]
    return tuple(dict.fromkeys(chosen))
