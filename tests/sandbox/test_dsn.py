"""dsn.redact hides every password form; dsn.same_server sees through spellings of one server."""

from __future__ import annotations

import pytest

from trustctl import dsn
from trustctl.errors import InputError

SECRET = "s3cr%40t-p4ss"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"postgresql://app:{SECRET}@db.example.com:5432/claver",
         "postgresql://app:***@db.example.com:5432/claver"),
        (f"postgres://app:{SECRET}@db.example.com/claver?sslmode=require",
         "postgres://app:***@db.example.com/claver?sslmode=require"),
        (f"postgresql://app@db.example.com/claver?sslmode=require&password={SECRET}&x=1",
         "postgresql://app@db.example.com/claver?sslmode=require&password=***&x=1"),
        ("postgresql://app:p@ss/w0rd@db.example.com/claver",
         "postgresql://app:***@db.example.com/claver"),
        (f"host=db.example.com password={SECRET} user=app",
         "host=db.example.com password=*** user=app"),
        ("host=db.example.com password = 'with space \\' quote' dbname=claver",
         "host=db.example.com password = *** dbname=claver"),
        ("postgresql://app@db.example.com/claver", "postgresql://app@db.example.com/claver"),
    ],
)
def test_redact_hides_the_password_and_keeps_the_rest(raw: str, expected: str) -> None:
    assert dsn.redact(raw) == expected


def test_parse_reads_uri_and_keyword_forms_with_libpq_defaults() -> None:
    assert dsn.parse(f"postgresql://app:{SECRET}@Db.Example.com:6543/claver") == {
        "host": "Db.Example.com", "port": 6543, "dbname": "claver", "user": "app"}
    assert dsn.parse("host=10.0.0.5 user=backup") == {
        "host": "10.0.0.5", "port": 5432, "dbname": "backup", "user": "backup"}


def test_parse_error_does_not_echo_the_password() -> None:
    with pytest.raises(InputError) as caught:
        dsn.parse("host=h password=hunter2secret dangling")
    assert "hunter2secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("postgresql://a:x@localhost:5433/claver", "host=127.0.0.1 port=5433 dbname=claver user=b"),
        ("postgresql://a@[::1]:5433/claver", "postgresql://b@localhost:5433/claver"),
        ("postgresql://a@DB.example.com./claver", "postgresql://b@db.example.com:5432/claver"),
        ("host=/var/run/postgresql dbname=claver", "postgresql://b@127.0.0.1/claver"),
    ],
)
def test_same_server_normalises_host_spellings(a: str, b: str) -> None:
    assert dsn.same_server(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("postgresql://a@localhost:5433/claver", "postgresql://a@localhost:5434/claver"),
        ("postgresql://a@localhost:5433/claver", "postgresql://a@localhost:5433/scratch"),
        ("postgresql://a@db.example.com/claver", "postgresql://a@127.0.0.1/claver"),
    ],
)
def test_same_server_tells_different_servers_apart(a: str, b: str) -> None:
    assert not dsn.same_server(a, b)


def test_redact_text_hides_every_password_inside_a_message() -> None:
    message = ("connection to postgresql://backup:s3cr3t@db:5432/claver?password=q1 failed; "
               "retry with host=db password='p w' or postgres://app:an@ther@h/d")
    hidden = dsn.redact_text(message)
    for secret in ("s3cr3t", "q1", "p w", "an@ther"):
        assert secret not in hidden
    assert hidden.startswith("connection to postgresql://backup:***@db:5432/claver?password=***")
    assert "postgres://app:***@h/d" in hidden
