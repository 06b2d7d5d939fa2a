"""Which tenant owns each row: the tenancy of every table of the tenant schemas.

A table's tenant is, in this order: its own tenant column (`tenant_column`, or
`tenant_columns` per table); a declared path through a foreign key (`via: chat_id ->
public.chats.id`, the parent's tenant being found the same way, hop after hop); or, found in the
catalog, the one single-column foreign key leading to a table whose tenant is known. Several
such keys are ambiguous: one line asks for a declaration instead of guessing. Each decision is
kept with the reason for it (the record says what was decided and why).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from trustctl.pg.tenancy import Tenancy, TenantTable

_FOREIGN_KEYS = """
SELECT n.nspname || '.' || c.relname, a.attname, pn.nspname || '.' || pc.relname, pa.attname
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class pc ON pc.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
WHERE k.contype = 'f' AND cardinality(k.conkey) = 1 AND n.nspname = ANY(%s)
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class Hop:
    """One step towards the tenant: `column` of the row equals `parent`.`parent_column`."""

    column: str
    parent: str
    parent_column: str

    def describe(self) -> str:
        return f"{self.column} -> {self.parent}.{self.parent_column}"


@dataclass(frozen=True)
class Owner:
    """How a table's rows name their tenant: `column` on the table itself, or on the last
    parent reached through `hops`."""

    table: TenantTable
    column: str
    hops: tuple[Hop, ...] = ()
    why: str = ""

    @property
    def direct(self) -> bool:
        return not self.hops

    @property
    def key(self) -> str:
        """The column of the table itself that decides the tenant."""
        return self.hops[0].column if self.hops else self.column

    def describe(self) -> str:
        if self.direct:
            return self.column
        return " -> ".join(h.describe() for h in self.hops) + f" ({self.column})"

    def rows(self) -> tuple[sql.Composed, sql.Composed]:
        """(FROM clause over the table as `r` joined to its parents, the row's tenant)."""
        joins = [sql.SQL("FROM {} r").format(_ident(self.table.name))]
        previous = sql.Identifier("r")
        for i, hop in enumerate(self.hops):
            me = sql.Identifier(f"h{i}")
            joins.append(sql.SQL("JOIN {parent} {me} ON {me}.{pcol} = {prev}.{col}").format(
                parent=_ident(hop.parent), me=me, pcol=sql.Identifier(hop.parent_column),
                prev=previous, col=sql.Identifier(hop.column)))
            previous = me
        return sql.SQL(" ").join(joins), sql.SQL("{}.{}").format(previous,
                                                                  sql.Identifier(self.column))

    def tenant_of_keys(self) -> sql.Composed:
        """SELECT (key, tenant) for the keys in %s: the table's key values mapped to tenants."""
        if self.direct:
            raise ValueError("a direct owner needs no mapping")
        first = self.hops[0]
        joins = [sql.SQL("FROM {} h0").format(_ident(first.parent))]
        for i, hop in enumerate(self.hops[1:], start=1):
            joins.append(sql.SQL("JOIN {parent} {me} ON {me}.{pcol} = {prev}.{col}").format(
                parent=_ident(hop.parent), me=sql.Identifier(f"h{i}"),
                pcol=sql.Identifier(hop.parent_column), prev=sql.Identifier(f"h{i - 1}"),
                col=sql.Identifier(hop.column)))
        last = sql.Identifier(f"h{len(self.hops) - 1}")
        return sql.SQL("SELECT h0.{key}::text, {last}.{col}::text {joins} WHERE h0.{key}::text "
                       "= ANY(%s)").format(key=sql.Identifier(first.parent_column), last=last,
                                           col=sql.Identifier(self.column),
                                           joins=sql.SQL(" ").join(joins))


@dataclass
class Ownership:
    """Every table's owner, the ambiguous ones, and those with no tenant at all."""

    owners: dict[str, Owner] = field(default_factory=dict)
    ambiguous: dict[str, str] = field(default_factory=dict)
    none: list[str] = field(default_factory=list)

    def why(self) -> list[str]:
        return [f"{name}: {o.describe()} ({o.why})" for name, o in sorted(self.owners.items())
                if not o.direct]


def resolve(conn: psycopg.Connection, tenancy: Tenancy,
            tables: list[TenantTable]) -> Ownership:
    """The owner of every non-global table (module docstring for the order of the rules)."""
    by_name = {t.name: t for t in tables}
    result = Ownership()
    pending = [t for t in tables if tenancy.global_table(t.name) is None]
    for table in pending:
        column = tenancy.column_of(table.name)
        if table.name not in tenancy.via and column in table.columns:
            result.owners[table.name] = Owner(table, column, why="tenant column")
    keys: dict[str, list[Hop]] = {}
    for table, column, parent, parent_column in conn.execute(
            _FOREIGN_KEYS, (list(tenancy.tenant_schemas),)):
        if parent != table:
            keys.setdefault(table, []).append(Hop(column, parent, parent_column))
    # A key is judged once every parent it could lead to is decided (patient), then with what
    # is known: the order tables are read in never decides between two keys.
    undecided = {t.name for t in pending} - set(result.owners)
    for patient in (True, False):
        changed = True
        while changed:
            changed = False
            for table in pending:
                if table.name in result.owners:
                    continue
                hops = keys.get(table.name, [])
                if patient and any(h.parent in undecided for h in hops):
                    continue
                owner = _through(table, tenancy, result, hops)
                if owner is not None:
                    result.owners[table.name] = owner
                    result.ambiguous.pop(table.name, None)
                    undecided.discard(table.name)
                    changed = True
    for table in pending:
        if table.name in result.owners or table.name in result.ambiguous:
            continue
        declared = tenancy.via.get(table.name)
        if declared and declared[1] not in by_name:
            result.ambiguous[table.name] = (f"table {table.name}: via names {declared[1]}, "
                                            "which is not a table of the tenant schemas")
        else:
            result.none.append(table.name)
    return result


def _through(table: TenantTable, tenancy: Tenancy, known: Ownership,
             keys: list[Hop]) -> Owner | None:
    declared = tenancy.via.get(table.name)
    if declared is not None:
        hop = Hop(*declared)
        parent = known.owners.get(hop.parent)
        if parent is None:
            return None
        return _extend(table, hop, parent, "declared (via)")
    usable = [h for h in keys if h.parent in known.owners]
    if len(usable) == 1:
        hop = usable[0]
        return _extend(table, hop, known.owners[hop.parent],
                       f"found: its only foreign key to a tenant table, {hop.describe()}")
    if len(usable) > 1:
        known.ambiguous[table.name] = (
            f"table {table.name} reaches a tenant through {len(usable)} foreign keys ("
            f"{', '.join(h.describe() for h in usable)}): declare which one under `via:` in "
            "the tenancy file")
    return None


def _extend(table: TenantTable, hop: Hop, parent: Owner, why: str) -> Owner:
    if parent.direct and hop.parent_column == parent.column:
        return Owner(table, hop.column, why=f"{why}; the key is the parent's tenant")
    return Owner(table, parent.column, (hop, *parent.hops), why)


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(*name.split(".", 1))
