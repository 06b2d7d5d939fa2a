"""Plan a Pulumi program in a process of its own, in a session of its own, killed whole.

The program is untrusted code (a pull request's): in-process it could patch the very functions
that judge it. In a child process it can only shape the plan it returns as JSON. The child
leads its own session, so neither a terminal's Ctrl-C nor a program that forks a child keeping
the pipes can hang the caller: when the child ends, or the time limit passes, or the caller is
interrupted, the whole process group is killed. What the program prints reaches stderr, capped:
it is read from a pipe as it comes and only its start and its end are kept (a program printing
gigabytes fills neither the disk nor memory).

The child gets only the environment a Python process needs to run (an allow-list): no cloud
credentials, tokens or the GitHub Actions OIDC token request a CI job may hold (the gate's job on
main signs its record with the evidence role: the program it plans must not reach that role).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from trustctl.errors import InputError
from trustctl.plan.model import Plan
from trustctl.plan.project import load_project
from trustctl.plan.worker import FAILED, REQUEST, RESULT

DEFAULT_TIMEOUT_S = 300.0  # this repository's program plans in about 2 s
# after the child's own time limit (which names the program's line), the caller's backstop
GRACE_S = 20.0
OUTPUT_CAP = 64 * 1024  # bytes of the program's output forwarded to stderr: its start and end
LAST_LINE_CAP = 500  # characters of the output's last line quoted when no plan came back
DRAIN_S = 5.0  # how long output may still arrive once the group is killed (from a process that
# left it, which could write forever)
# what the planner's Python and a program planned offline may read of the caller's environment
_PASSED_ENV = frozenset({"PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "TEMP", "TMP",
                         "PYTHONPATH", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE", "PYTHONUTF8",
                         "VIRTUAL_ENV", "COVERAGE_PROCESS_START", "AWS_REGION",
                         "AWS_DEFAULT_REGION", "PULUMI_HOME"})


def program_environment() -> dict[str, str]:
    """The caller's environment, cut to `_PASSED_ENV` and the locale (`LC_*`)."""
    return {k: v for k, v in os.environ.items() if k in _PASSED_ENV or k.startswith("LC_")}


class ProgramOutput:
    """What the child prints, read as it comes: its first and last OUTPUT_CAP / 2 bytes and how
    many in all. A pull request's program may print gigabytes; none of it is stored beyond
    these."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.size = 0
        self._head = bytearray()
        self._tail = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        half = OUTPUT_CAP // 2
        with stream:
            while chunk := stream.read1(1 << 16):
                with self._lock:
                    self.size += len(chunk)
                    room = max(half - len(self._head), 0)
                    self._head += chunk[:room]
                    self._tail += chunk[room:]
                    del self._tail[:-half]

    def finish(self) -> None:
        """Wait for the end of the output (its writers are killed), but not for a process that
        left the group and still writes."""
        self._reader.join(DRAIN_S)

    def forward(self) -> None:
        """Write it to stderr, saying how much of the middle was cut, ended by a newline (the
        one-line error that may follow starts a line of its own)."""
        with self._lock:
            head, tail, cut = bytes(self._head), bytes(self._tail), self.size - OUTPUT_CAP
        text = head.decode("utf-8", "replace")
        if cut > 0:
            text += (f"\ntrustctl: ... {cut} bytes of program output not shown (its first and "
                     f"last {OUTPUT_CAP // 2} are)\n")
        text += tail.decode("utf-8", "replace")
        sys.stderr.write(text if not text or text.endswith("\n") else text + "\n")
        sys.stderr.flush()

    def last_line(self) -> str:
        """The output's last non-empty line, its end only if it is long."""
        with self._lock:
            end = bytes(self._head + self._tail if self.size <= OUTPUT_CAP else self._tail)
        lines = end.decode("utf-8", "replace").strip().splitlines()
        line = lines[-1] if lines else ""
        return line if len(line) <= LAST_LINE_CAP else "..." + line[-LAST_LINE_CAP:]


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill every process left in the child's group: the group keeps the child's id as long as
    any of its processes lives (Linux reuses no id still naming a group), even once the child
    itself has been reaped."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def plan_isolated(program_dir: Path, stack: str = "prod",
                  config_overrides: dict[str, str] | None = None,
                  stack_outputs: dict[str, dict[str, Any]] | None = None,
                  timeout: float = 0) -> Plan:
    """`plan_program` (trustctl/plan/planner.py) run in a child process; same arguments, same
    Plan, same one-line InputError when the program fails or outlives `timeout` (0: no limit)."""
    # read here too: a bad project is refused before a process starts, and the stack's `secure:`
    # values are remembered, so what the program prints or raises is redacted in this process
    load_project(Path(program_dir), stack)
    with tempfile.TemporaryDirectory(prefix="trustctl-plan-") as tmp:
        work = Path(tmp)
        (work / REQUEST).write_text(json.dumps({
            "program": str(Path(program_dir).resolve()), "stack": stack,
            "config_overrides": config_overrides or {}, "stack_outputs": stack_outputs or {},
            "timeout": timeout,
        }), encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, "-m", "trustctl.plan.worker", str(work)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, env=program_environment())
        assert proc.stdout is not None
        output = ProgramOutput(proc.stdout)
        try:
            code = proc.wait(timeout=timeout + GRACE_S if timeout > 0 else None)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            _kill_group(proc)  # also on Ctrl-C/SIGTERM in the caller
        output.finish()
        output.forward()
        if code is None:
            raise InputError(f"program did not finish within {timeout:g} s (--timeout); it and "
                             "every process it started were killed")
        result_file = work / RESULT
        if not result_file.exists():
            raise InputError(f"the planner process ended with status {code} without a plan"
                             + (f": {line}" if (line := output.last_line()) else ""))
        result = _result(result_file)
    if code == FAILED or "error" in result:
        raise InputError(str(result.get("error") or "the program failed without saying why"))
    try:
        return Plan.from_json(result["plan"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"the planner process returned no plan it could have made ({exc!r}): "
                         "did the program write its result itself?") from None


def _result(result_file: Path) -> dict[str, Any]:
    """The worker's result. The program runs in the worker's process and could write it too:
    whatever is there is input, read as such."""
    try:
        result = json.loads(result_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"the planner process left an unreadable result: {exc}") from None
    if not isinstance(result, dict):
        raise InputError("the planner process left a result that is not a JSON object")
    return result
