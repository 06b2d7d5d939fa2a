"""Each redaction rule on its own: what it hides, what it leaves alone."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest

from trustctl import redaction


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("to mysql://root:Pw-1234@db/x failed", "to mysql://root:***@db/x failed"),
        ("postgresql+psycopg://a:p@ss/w0rd@h/d", "postgresql+psycopg://a:***@h/d"),
        ('{"url": "https://u:tok-999@example.com/x"}', '{"url": "https://u:***@example.com/x"}'),
        ("host=db password='a b\\'c' user=u", "host=db password='***' user=u"),
        ("postgresql://u@h/d?sslmode=require&password=q%26x&a=1",
         "postgresql://u@h/d?sslmode=require&password=***&a=1"),
        ("Server=db;Pwd=Hunter2;Uid=sa", "Server=db;Pwd=***;Uid=sa"),
        ('{"password": "se\\"cret", "n": 1}', '{"password": "***", "n": 1}'),
    ],
)
def test_password_shapes_are_hidden(text: str, shown: str) -> None:
    assert redaction.redact(text) == shown


@pytest.mark.parametrize("text", [
    "postgresql://backup@db:5432/claver", "https://example.com/a:b", "password_policy=strict",
    "user@example.com wrote 3 rows",
])
def test_text_without_a_secret_is_left_alone(text: str) -> None:
    assert redaction.redact(text) == text


def test_remembered_values_are_hidden_in_every_spelling() -> None:
    value = 'Remembered "p@ss" 77'
    assert redaction.redact(value) == value  # not yet known, and no shape to catch
    redaction.remember(value)
    for spelling in (value, "Remembered%20%22p%40ss%22%2077", json.dumps(value)[1:-1]):
        assert redaction.redact(f"x {spelling} y") == "x *** y"
    redaction.remember("ab")  # too short to hide without mangling everything
    assert redaction.redact("abc") == "abc"


def test_the_stream_sees_a_secret_split_over_two_writes() -> None:
    target = io.StringIO()
    stream = redaction.RedactingStream(target)
    stream.write("connect postgresql://u:Split")
    stream.write("Secret@h/d\rnext")
    assert target.getvalue() == "connect postgresql://u:***@h/d\r"
    stream.flush()
    assert target.getvalue().endswith("next")


def test_files_are_written_redacted_and_0640(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text("old")
    path.chmod(0o666)
    redaction.write_file(path, "dsn password=Leaky-1\n")
    assert path.read_text() == "dsn password=***\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
