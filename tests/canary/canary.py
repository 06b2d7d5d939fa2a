"""The secrets canary: run the real `trustctl` with canary secrets and prove none escapes.

Every canary secret starts and ends with MARK, so a leak of any part of one (a prefix before a
redaction, a suffix after one) is found by looking for MARK alone. A run is watched where a
secret could escape: stdout, stderr, every file under the run's directories (state.json and
the Postgres data directories excepted: they hold passwords by design, mode 0600), and the
command line of every process on the machine, sampled while the command runs (pg_dump,
pg_restore, psql included).

To add a command: append one `Case` to CASES in test_canary.py (argv and env may use the
`World` fields as `{name}` placeholders). See README "Secrets".
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

MARK = "Cn4ry"
# A password with every character that trips parsers: space, quotes, @ / : % ? & = and '\\'.
PASSWORD = f"{MARK}A'p@ss/w:rd%?&= \"x\\y{MARK}Z"
PRIVATE_FILES = ("state.json", "trustctl-superuser-password")
PRIVATE_DIRS = ("pgdata", "data")  # Postgres data directories (the server's own files)
SAMPLE_SECONDS = 0.02  # pg_dump/pg_restore/psql live far longer
HELD_TRUSTCTL = Path(__file__).resolve().parents[1] / "drill" / "held_trustctl.py"


def secret(name: str) -> str:
    """Another canary secret (an AWS key, a `secure:` value...), found by MARK like the rest."""
    return f"{MARK}{name}-7f3e{MARK}"


def keyword_value(value: str) -> str:
    """`value` quoted for a libpq key=value string."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def dsn_forms(host: str, port: int, user: str, dbname: str, password: str = PASSWORD
              ) -> dict[str, str]:
    """The same connection in every form people paste."""
    encoded = quote(password, safe="")
    return {
        "uri-driver-pasted": f"postgresql+psycopg://{user}:{password}@{host}:{port}/{dbname}",
        "uri-encoded": f"postgres://{user}:{encoded}@{host}:{port}/{dbname}?sslmode=disable",
        "uri-query": f"postgresql://{user}@{host}:{port}/{dbname}?password={encoded}",
        "key-value": (f"host={host} port={port} dbname={dbname} user={user} "
                      f"password={keyword_value(password)}"),
    }


@dataclass
class Run:
    """What one command did: its output, the files under its directories, process lines."""

    code: int
    stdout: str
    stderr: str
    files: dict[Path, str]
    cmdlines: set[str]

    def leaks(self, secrets: list[str]) -> list[str]:
        """Where MARK or one of `secrets` shows: 'stdout', 'stderr', a file, 'argv: ...'."""
        def shows(text: str) -> bool:
            return MARK in text or any(s and s in text for s in secrets)
        found = [name for name, text in (("stdout", self.stdout), ("stderr", self.stderr))
                 if shows(text)]
        found += [str(path) for path, text in self.files.items() if shows(text)]
        found += [f"argv: {line[:80]}" for line in self.cmdlines if shows(line)]
        return found


class ProcessWatch:
    """Samples /proc/*/cmdline of every process until stopped (a thread)."""

    def __init__(self) -> None:
        self.lines: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ProcessWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                        raw = cmdline.read()
                except OSError:
                    continue  # the process ended
                if raw:
                    self.lines.add(raw.replace(b"\0", b" ").decode(errors="replace"))


def run_trustctl(argv: list[str], env: dict[str, str], cwd: Path, watched: list[Path], *,
                 interrupt_after: str | None = None, held: bool = False,
                 timeout: float = 300) -> Run:
    """`python -m trustctl.cli argv` in `cwd`; `interrupt_after` sends SIGTERM once stderr
    shows that text (the drill's teardown path); `held` runs the drill that holds once its
    restore has started (tests/drill/held_trustctl.py), so the interrupt lands there."""
    entry = [str(HELD_TRUSTCTL)] if held else ["-m", "trustctl.cli"]
    with ProcessWatch() as watch:
        process = subprocess.Popen([sys.executable, *entry, *argv], cwd=cwd,
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        stderr: list[str] = []
        reader = threading.Thread(target=_read_lines, args=(process, stderr, interrupt_after))
        reader.start()
        stdout = process.stdout.read()
        code = process.wait(timeout=timeout)
        reader.join()
    return Run(code, stdout, "".join(stderr), _files(watched), watch.lines)


def _read_lines(process: subprocess.Popen, into: list[str], interrupt_after: str | None) -> None:
    for line in process.stderr:
        into.append(line)
        if interrupt_after and interrupt_after in line:
            process.send_signal(signal.SIGTERM)


def _files(directories: list[Path]) -> dict[Path, str]:
    found = {}
    for directory in directories:
        for root, dirs, names in os.walk(directory):
            dirs[:] = [d for d in dirs if d not in PRIVATE_DIRS]
            for name in names:
                path = Path(root) / name
                if name not in PRIVATE_FILES and path.is_file():
                    found[path] = path.read_bytes().decode(errors="replace")
    return found


@dataclass
class Case:
    """One command to run with canaries. `argv`/`env` values may hold `{world_field}`."""

    name: str
    argv: list[str]
    codes: tuple[int, ...]
    env: dict[str, str] = field(default_factory=dict)
    interrupt_after: str | None = None
    held: bool = False  # run the drill that holds once its restore has started
    must_see_process: str | None = None  # a tool the command starts, proving the watch works
