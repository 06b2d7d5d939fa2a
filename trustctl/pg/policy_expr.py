"""Reading a policy's expressions as the catalog prints them (pg_policies.qual / with_check).

Two questions are answered from the text: is the expression a tautology, true for every row
whoever asks (`true`, `auth.role() = 'authenticated'`, `auth.uid() IS NOT NULL`)? Such a policy
ties no row to its tenant. And does it name a column at all? One that never names the row's
tenant key (a status, a soft delete) cannot tie a row to its tenant either. Whether a
non-trivial expression really isolates tenants is not guessed from its text: the tenant
sessions (isolation.py, writes.py) find out.
"""

from __future__ import annotations

import re

# The catalog's text, lowered, without parentheses, casts and blanks.
_TAUTOLOGIES = frozenset({
    "true", "1=1",
    "auth.role='authenticated'", "'authenticated'=auth.role",
    "auth.role='anon'", "'anon'=auth.role",
    "auth.uidisnotnull", "selectauth.uidisnotnull",
    "auth.jwtisnotnull", "selectauth.jwtisnotnull",
    "auth.role='authenticated'orauth.role='anon'",
})
_CAST = re.compile(r"::[\w.\"]+(\s+varying)?(\[\])?")
_ALIAS = re.compile(r"\s+as\s+\w+")


def normalized(expression: str) -> str:
    """The expression lowered, without casts, parentheses and blanks: comparable text."""
    text = _ALIAS.sub("", _CAST.sub("", expression.lower()))
    return re.sub(r"[()\s]", "", text)


def tautology(expression: str) -> bool:
    """True when the expression admits every row to whoever the policy applies to."""
    return normalized(expression) in _TAUTOLOGIES


def names_column(expression: str, column: str) -> bool:
    """True when the expression names `column`: bare (`tenant_id`), quoted (`"tenant_id"`) or
    qualified by a table (`t.tenant_id`), as the catalog prints it."""
    return re.search(rf"(?<![\w$]){re.escape(column)}(?![\w$])", expression) is not None
