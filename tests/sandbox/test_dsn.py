"""Dsn reads every accepted form, never shows its password, refuses the rest without echoing it,
and tells servers apart through different spellings of one."""

from __future__ import annotations

import pytest

from trustctl.dsn import Dsn
from trustctl.errors import InputError
from trustctl.redaction import redact

SECRET = "s3cr@t/p4ss:w%rd?&='\" x"
ENCODED = "s3cr%40t%2Fp4ss%3Aw%25rd%3F%26%3D%27%22%20x"


@pytest.mark.parametrize(
    ("raw", "shown", "password"),
    [
        (f"postgresql://app:{ENCODED}@db.example.com:5432/claver",
         "postgresql://app@db.example.com:5432/claver", SECRET),
        (f"postgres://app:{ENCODED}@db.example.com/claver?sslmode=require",
         "postgresql://app@db.example.com:5432/claver?sslmode=require", SECRET),
        (f"postgresql+psycopg://app:{ENCODED}@db.example.com/claver",
         "postgresql://app@db.example.com:5432/claver", SECRET),
        ("POSTGRESQL+ASYNCPG://app:p@ss/w0rd@db.example.com/claver",  # unencoded, as pasted
         "postgresql://app@db.example.com:5432/claver", "p@ss/w0rd"),
        (f"postgresql://app@db.example.com/claver?sslmode=require&password={ENCODED}",
         "postgresql://app@db.example.com:5432/claver?sslmode=require", SECRET),
        ("host=db.example.com password='with space \\' quote' user=app dbname=claver",
         "postgresql://app@db.example.com:5432/claver", "with space ' quote"),
        ("postgresql://app:pw-v6-1@[2001:db8::5]:6543/claver",
         "postgresql://app@[2001:db8::5]:6543/claver", "pw-v6-1"),
        ("postgresql://app:pw-sock@%2Fvar%2Frun%2Fpostgresql/claver",
         "postgresql://app@%2Fvar%2Frun%2Fpostgresql:5432/claver", "pw-sock"),
        ("host=/var/run/postgresql dbname=claver user=app",
         "postgresql://app@%2Fvar%2Frun%2Fpostgresql:5432/claver", None),
    ],
)
def test_parse_keeps_the_password_inside(raw: str, shown: str, password: str | None) -> None:
    dsn = Dsn.parse(raw, "TEST_DSN")
    assert str(dsn) == shown
    assert repr(dsn) == f"Dsn({shown!r})"
    assert dsn.libpq_params().get("password") == password
    assert dsn.child_env({}).get("PGPASSWORD") == password
    if password:
        assert password not in dsn.conninfo() + str(dsn) + repr(dsn)
    assert Dsn.parse(str(dsn), "shown").same_database(dsn)  # what is shown still says where


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("mysql://root:Hunter2-Secret@db/x", "is a mysql:// URI"),
        ("https://user:Hunter2-Secret@example.com/", "is a https:// URI"),
        ("Hunter2-Secret", "is not a Postgres connection string"),
        ("host=h password=Hunter2-Secret dangling", "is not a valid Postgres connection string"),
        ("postgresql://u:Hunter2-Secret@h/d?nosuchparam=1", "is not a valid Postgres"),
        ("postgresql://u:Hunter2-Secret@h:port/d", "has a port that is not a number"),
    ],
)
def test_not_a_dsn_is_refused_without_echo(raw: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        Dsn.parse(raw, "TRUSTCTL_SCRATCH_DSN")
    message = str(caught.value)
    assert message.startswith("TRUSTCTL_SCRATCH_DSN ") and says in message
    assert "Hunter2" not in message and "\n" not in message


def test_libpq_defaults_and_with_dbname() -> None:
    dsn = Dsn.parse("host=10.0.0.5 user=backup password=pw-12345", "X")
    assert (dsn.host, dsn.port, dsn.dbname, dsn.user) == ("10.0.0.5", 5432, "backup", "backup")
    other = dsn.with_dbname("scratch")
    assert other.dbname == "scratch" and other.libpq_params()["password"] == "pw-12345"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("postgresql://a:x@localhost:5433/claver", "host=127.0.0.1 port=5433 dbname=claver user=b"),
        ("postgresql://a@[::1]:5433/claver", "postgresql://b@localhost:5433/claver"),
        ("postgresql://a@DB.example.com./claver", "postgresql://b@db.example.com:5432/claver"),
        ("host=/var/run/postgresql dbname=claver", "postgresql://b@127.0.0.1/claver"),
    ],
)
def test_same_database_normalises_host_spellings(a: str, b: str) -> None:
    assert Dsn.parse(a, "a").same_database(Dsn.parse(b, "b"))


@pytest.mark.parametrize(
    ("a", "b", "host"),
    [
        ("postgresql://a@localhost:5433/claver", "postgresql://a@localhost:5434/claver", False),
        ("postgresql://a@localhost:5433/claver", "postgresql://a@localhost:5433/scratch", True),
        ("postgresql://a@db.example.com/claver", "postgresql://a@127.0.0.1/claver", False),
    ],
)
def test_different_databases_are_told_apart(a: str, b: str, host: bool) -> None:
    left, right = Dsn.parse(a, "a"), Dsn.parse(b, "b")
    assert not left.same_database(right)
    assert left.same_host(right) is host


def test_the_refusal_survives_redaction_whole() -> None:
    """The hint about accepted forms must read the same after the last line of defence."""
    with pytest.raises(InputError) as caught:
        Dsn.parse("not a dsn", "TRUSTCTL_BACKUP_DSN")
    assert redact(str(caught.value)) == str(caught.value)
