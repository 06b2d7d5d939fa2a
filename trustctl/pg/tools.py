"""Running pg_dump and pg_restore without putting a password on a command line.

The password travels in PGPASSWORD (`Dsn.child_env`: the child's environment only, not argv,
which any local user can read in /proc). Their stderr is kept (last lines only) and redacted.
Never `--enable-row-security`: it silently dumps only the rows one role may see.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Iterable

from trustctl import redaction
from trustctl.dsn import Dsn
from trustctl.errors import DependencyError
from trustctl.pg.server import pg_tool

STDERR_LINES = 20


def tool_version(name: str) -> str:
    """`pg_dump --version` and friends, e.g. 'pg_dump (PostgreSQL) 18.6'."""
    return subprocess.run([str(pg_tool(name)), "--version"], capture_output=True, text=True,
                          check=True).stdout.strip()


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DependencyError(f"{name} not found on PATH")
    return path


class ToolProcess:
    """A pg_dump/pg_restore child whose stderr is drained in a thread (no pipe deadlock)."""

    def __init__(self, name: str, args: list[str], dsn: Dsn | None, *,
                 stdin: int | None = None, stdout: int | None = None,
                 program: str | None = None) -> None:
        """`dsn` None runs the tool without a database (e.g. pg_restore -f); `program` runs a
        system program (tar) instead of one of the wheel's PostgreSQL tools."""
        if dsn is None:
            target, env = [], dict(os.environ)
        else:
            env = dsn.child_env()
            target = ["--no-password", "-d", dsn.conninfo()]
        self.name = name
        self._tail: deque[str] = deque(maxlen=STDERR_LINES)
        self.process = subprocess.Popen(
            [_program(program) if program else str(pg_tool(name)), *args, *target],
            stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, env=env,
            start_new_session=True,  # Ctrl-C reaches us; we decide how the child ends
        )
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()

    def _read_stderr(self) -> None:
        for line in iter(self.process.stderr.readline, b""):
            self._tail.append(line.decode(errors="replace").rstrip())

    def feed(self, chunks: Iterable[bytes]) -> None:
        """Writes a stream to the tool's stdin; if the tool stops reading, its exit code says why.

        On any error of the stream itself the tool is killed, so it cannot finish on a prefix.
        """
        stdin = self.process.stdin
        try:
            for chunk in chunks:
                stdin.write(chunk)
            stdin.close()
        except BrokenPipeError:
            pass
        except BaseException:
            self.kill()
            raise

    def wait(self) -> int:
        code = self.process.wait()
        self._drain.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self.wait()

    def reason(self) -> str:
        """The last meaningful stderr line, redacted, for a one-line message."""
        lines = [line for line in self._tail if line.strip()]
        errors = [line for line in lines if "error" in line.lower() or "fatal" in line.lower()]
        text = (errors or lines or [f"{self.name} exited with {self.process.returncode}"])[0]
        return redaction.redact(text)
