"""Postgres connection strings: the one place that reads them and holds their passwords.

`Dsn.parse` accepts what people paste (a `postgres://`/`postgresql://` URI, with or without a
`+driver` suffix such as `postgresql+psycopg://`, or libpq key=value pairs; `?password=`,
percent-encoded or unencoded odd characters in the password, IPv6 and Unix-socket hosts) and
refuses anything else without echoing it. The password stays inside the object: `str()`,
`repr()` and `conninfo()` never hold it; it reaches libpq in-process (`libpq_params`) or a
child program through PGPASSWORD (`child_env`), never argv. Every password read is
remembered by `trustctl.redaction`, so no message can show it later either.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from trustctl import redaction
from trustctl.errors import InputError

DEFAULT_PORT = 5432
# Worded without a password, so redaction leaves the hint readable.
ACCEPTED_FORMS = ("a postgresql:// or postgres:// URI (a +driver suffix is fine), e.g. "
                  "postgresql://user@host:5432/dbname, or libpq key=value pairs, e.g. "
                  "'host=db port=5432 dbname=claver user=backup'")

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*)://", re.IGNORECASE)
_POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})
_LOOPBACK_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1", "0.0.0.0", "::"})


@dataclass(frozen=True)
class Dsn:
    """A parsed connection string: libpq parameters without the password, and the password."""

    params: tuple[tuple[str, str], ...]
    origin: str = field(default="", compare=False)  # the variable or flag it came from
    _password: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, raw: str, origin: str) -> Dsn:
        """Reads `raw`; `origin` names where it came from (a variable or flag) for the error."""
        text = raw.strip()
        try:
            params = conninfo_to_dict(_libpq_spelling(text, origin))
        except psycopg.ProgrammingError:
            # libpq's message may quote the string: never pass it on
            raise _refused(text, origin, "is not a valid Postgres connection string") from None
        password = params.pop("password", None)
        redaction.remember(password)
        if not str(params.get("port") or DEFAULT_PORT).isdigit():
            raise _refused(text, origin, "has a port that is not a number")
        return cls(tuple(sorted((k, str(v)) for k, v in params.items())), origin, password)

    # -- what it says ------------------------------------------------------------------------

    def get(self, name: str) -> str | None:
        return dict(self.params).get(name) or None

    @property
    def host(self) -> str | None:
        return self.get("host") or self.get("hostaddr")

    @property
    def port(self) -> int:
        return int(self.get("port") or DEFAULT_PORT)

    @property
    def user(self) -> str | None:
        return self.get("user")

    @property
    def dbname(self) -> str | None:
        """The database; libpq defaults it to the user name."""
        return self.get("dbname") or self.user

    @property
    def has_password(self) -> bool:
        return self._password is not None

    def __str__(self) -> str:
        """A URI without the password, for messages, manifests and records."""
        host = self.host or ""
        shown_host = f"[{host}]" if ":" in host else quote(host, safe="")
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        extra = "&".join(f"{k}={quote(v, safe='')}" for k, v in self.params
                         if k not in ("host", "hostaddr", "port", "user", "dbname"))
        return (f"postgresql://{user}{shown_host}:{self.port}/{quote(self.dbname or '', safe='')}"
                + (f"?{extra}" if extra else ""))

    def __repr__(self) -> str:
        return f"Dsn({str(self)!r})"

    # -- where the password goes -------------------------------------------------------------

    def conninfo(self) -> str:
        """libpq key=value string WITHOUT the password: safe on a command line."""
        return make_conninfo("", **dict(self.params))

    def libpq_params(self) -> dict[str, str]:
        """Every parameter, password included, for libpq in this process (psycopg.connect)."""
        params = dict(self.params)
        if self._password is not None:
            params["password"] = self._password
        return params

    def child_env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for a libpq child (pg_dump, pg_restore, psql): password in PGPASSWORD.

        A DSN without a password leaves the environment's PGPASSWORD in place, so the child
        authenticates as this process's own sessions do (libpq reads it for both)."""
        env = {**(os.environ if base is None else base),
               "PGCONNECT_TIMEOUT": os.environ.get("PGCONNECT_TIMEOUT", "10")}
        if self._password is not None:
            env["PGPASSWORD"] = self._password
        return env

    # -- related connection strings ----------------------------------------------------------

    def with_dbname(self, dbname: str) -> Dsn:
        return Dsn(tuple(sorted({**dict(self.params), "dbname": dbname}.items())),
                   self.origin, self._password)

    def same_host(self, other: Dsn) -> bool:
        """True when both reach one server (host and port). Loopback names (localhost,
        127.0.0.1, ::1) and Unix-socket directories count as one host, so a scratch DSN
        cannot slip past the check by spelling a local server differently."""
        return (_normal_host(self.host) == _normal_host(other.host)
                and self.port == other.port)

    def same_database(self, other: Dsn) -> bool:
        """True when both reach the same database: same server and dbname."""
        return self.same_host(other) and self.dbname == other.dbname


def _libpq_spelling(text: str, origin: str) -> str:
    """`text` as libpq reads it: a `postgresql://` URI with an encoded userinfo, or key=value."""
    scheme = _SCHEME.match(text)
    if scheme is None:
        if "=" not in text:
            raise _refused(text, origin, "is not a Postgres connection string")
        return text
    name = scheme.group(1).lower().split("+", 1)[0]
    if name not in _POSTGRES_SCHEMES:
        raise _refused(text, origin, f"is a {name}:// URI, not a Postgres connection string")
    rest = text[scheme.end():]
    # userinfo ends at the LAST '@' of the authority, so an unencoded '@', '/' or '?' in a
    # password is read as part of it (libpq would stop at the first one and misread the host)
    at = rest.rfind("@")
    if at < 0:
        return "postgresql://" + rest
    user, colon, password = rest[:at].partition(":")
    userinfo = quote(unquote(user), safe="")
    if colon:
        userinfo += ":" + quote(unquote(password), safe="")
    return f"postgresql://{userinfo}@{rest[at + 1:]}"


def _refused(text: str, origin: str, what: str) -> InputError:
    """The one-line refusal: names the variable or flag, never echoes the string, which is
    remembered as a secret in case something else quotes it."""
    redaction.remember(text)
    return InputError(f"{origin} {what}; accepted: {ACCEPTED_FORMS}")


def _normal_host(host: str | None) -> str:
    name = (host or "").strip().strip("[]").rstrip(".").lower()
    if name in _LOOPBACK_HOSTS or name.startswith("/") or name.startswith("127."):
        return "localhost"
    return name
