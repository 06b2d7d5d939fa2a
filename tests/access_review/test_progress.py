"""Progress on stderr: plain lines in CI logs, a bar with count and rate on a terminal."""

from __future__ import annotations

import io

from trustctl.access_review.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_at_every_tenth_when_not_a_terminal():
    stream = io.StringIO()
    with Progress(stream).counting("log files read", 20) as advance:
        for _ in range(20):
            advance()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[-1] == "trustctl: access-review: log files read: 20 of 20"


def test_a_short_run_says_only_its_end():
    stream = io.StringIO()
    with Progress(stream).counting("roles read", 3) as advance:
        for _ in range(3):
            advance()
    assert stream.getvalue() == "trustctl: access-review: roles read: 3 of 3\n"


def test_a_bar_with_count_on_a_terminal():
    stream = Terminal()
    with Progress(stream).counting("log files read", 3) as advance:
        for _ in range(3):
            advance()
    assert "log files read" in stream.getvalue() and "3/3" in stream.getvalue()


def test_quiet_says_nothing():
    stream = io.StringIO()
    progress = Progress(stream, quiet=True)
    progress.say("hello")
    with progress.counting("x", 5) as advance:
        advance()
    assert stream.getvalue() == ""
