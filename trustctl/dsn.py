"""Postgres connection strings: hide their passwords, read their parts, tell servers apart.

Every DSN that reaches output, logs or evidence goes through `redact` first. `same_server` lets
the restore drill refuse a scratch DSN that points at the production database.
"""

from __future__ import annotations

import re

import psycopg
from psycopg.conninfo import conninfo_to_dict

from trustctl.errors import InputError

REDACTED = "***"
DEFAULT_PORT = 5432

_URI_PREFIX = re.compile(r"^\s*postgres(?:ql)?://", re.IGNORECASE)
# user:password@ -- up to the LAST '@', so a password with an unencoded '@' or '/' is still hidden.
_URI_USERINFO_PASSWORD = re.compile(r"^(\s*postgres(?:ql)?://[^:@/?#]*:)(.*)(@)", re.IGNORECASE)
_URI_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#\s]*)", re.IGNORECASE)
# key=value form: password=secret, password = 'se cret', password='it\'s'
_KEYWORD_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)", re.IGNORECASE)

# a URI inside free text (an error message): userinfo password up to the '@' before the host
_EMBEDDED_URI_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:@/\s]*:)([^\s]*)(@)", re.IGNORECASE)

_LOOPBACK_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1", "0.0.0.0", "::"})


def redact(dsn: str) -> str:
    """Return `dsn` with every password replaced by '***' (URI userinfo, URI query, key=value)."""
    if _URI_PREFIX.match(dsn):
        hidden = _URI_USERINFO_PASSWORD.sub(rf"\g<1>{REDACTED}\g<3>", dsn, count=1)
        return _URI_QUERY_PASSWORD.sub(rf"\g<1>{REDACTED}", hidden)
    return _KEYWORD_PASSWORD.sub(rf"\g<1>{REDACTED}", dsn)


def redact_text(text: str) -> str:
    """Hide the password of every DSN inside free text, such as an exception's message."""
    hidden = _EMBEDDED_URI_PASSWORD.sub(rf"\g<1>{REDACTED}\g<3>", text)
    hidden = _URI_QUERY_PASSWORD.sub(rf"\g<1>{REDACTED}", hidden)
    return _KEYWORD_PASSWORD.sub(rf"\g<1>{REDACTED}", hidden)


def parse(dsn: str) -> dict:
    """Return {host, port, dbname, user} of a DSN (URI or key=value); missing parts are None.

    The port defaults to 5432 and the database to the user name, as libpq does.
    """
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        # libpq's message can quote part of the string, password included: never pass it on.
        raise InputError(f"not a valid Postgres DSN: {redact(dsn)}") from None
    user = params.get("user") or None
    port = params.get("port") or DEFAULT_PORT
    try:
        port = int(port)
    except ValueError:
        raise InputError(f"not a valid port in Postgres DSN: {redact(dsn)}") from None
    return {
        "host": params.get("host") or params.get("hostaddr") or None,
        "port": port,
        "dbname": params.get("dbname") or user,
        "user": user,
    }


def same_server(a: str, b: str) -> bool:
    """True when two DSNs reach the same database: host, port and dbname equal.

    Loopback names (localhost, 127.0.0.1, ::1) and Unix-socket directories count as one host,
    so a scratch DSN cannot slip past the check by spelling a local server differently.
    """
    left, right = parse(a), parse(b)
    return (
        _normal_host(left["host"]) == _normal_host(right["host"])
        and left["port"] == right["port"]
        and left["dbname"] == right["dbname"]
    )


def _normal_host(host: str | None) -> str:
    name = (host or "").strip().strip("[]").rstrip(".").lower()
    if name in _LOOPBACK_HOSTS or name.startswith("/") or name.startswith("127."):
        return "localhost"
    return name
