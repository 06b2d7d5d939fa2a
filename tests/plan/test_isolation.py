"""Programs run in a process of their own, in a session of their own (trustctl/plan/isolated.py):
a program cannot patch the judgment, and nothing it starts outlives the command or hangs it.

Each test writes its own small program into a temporary directory and runs the real CLI.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from trustctl.plan.isolated import LAST_LINE_CAP, OUTPUT_CAP

PROJECT = "name: isolated\nruntime: python\n"


def _program(tmp_path: Path, code: str) -> Path:
    program = tmp_path / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text(PROJECT)
    (program / "Pulumi.test.yaml").write_text("config: {}\n")
    (program / "__main__.py").write_text(textwrap.dedent(code))
    return program


def _trustctl(cwd: Path, *args: str, limit: float = 120) -> subprocess.CompletedProcess:
    # pipes captured, as CI captures them: a process that keeps them open would hang this run
    return subprocess.run([sys.executable, "-m", "trustctl.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=limit)


def _gone(pid: int) -> bool:
    """Whether the process no longer runs (absent, or a zombie nobody reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


FORKS = """
    {first}
    import subprocess, sys
    import pulumi_aws as aws
    child = subprocess.Popen(["sleep", "600"], stdout=sys.stdout, stderr=sys.stderr)
    open({pidfile!r}, "w").write(str(child.pid))
    aws.s3.BucketV2("kept")
    {then}
"""


@pytest.mark.parametrize("command", ["plan", "gate"])
def test_a_child_the_program_leaves_holding_the_pipes_does_not_hang_the_command(
        tmp_path: Path, command: str) -> None:
    pidfile = tmp_path / "child.pid"
    program = _program(tmp_path, FORKS.format(first="", pidfile=str(pidfile), then=""))
    started = time.monotonic()
    result = _trustctl(tmp_path, command, "--program", str(program), "--stack", "test",
                       "--evidence-dir" if command == "gate" else "--timeout",
                       str(tmp_path / "evidence") if command == "gate" else "60")
    assert time.monotonic() - started < 60
    assert result.returncode in ((0,) if command == "plan" else (1,)), result.stderr
    assert _gone(int(pidfile.read_text()))


def test_timeout_holds_when_the_program_forks_and_never_finishes(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    program = _program(tmp_path, FORKS.format(first="", pidfile=str(pidfile),
                                              then="while True: pass"))
    started = time.monotonic()
    result = _trustctl(tmp_path, "gate", "--program", str(program), "--stack", "test",
                       "--timeout", "2")
    assert time.monotonic() - started < 60
    assert result.returncode == 2
    assert re.search(r"trustctl: error: __main__\.py:\d+: program did not finish within 2 s "
                     r"\(--timeout\)\n$", result.stderr), result.stderr
    assert _gone(int(pidfile.read_text()))


def test_a_program_that_ignores_the_alarm_is_killed_with_its_children(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    # the alarm is blocked before anything else runs (the child's own time limit never fires):
    # the caller's backstop kills the group
    program = _program(tmp_path, FORKS.format(
        first="import signal; signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})",
        pidfile=str(pidfile), then="import time; time.sleep(600)"))
    started = time.monotonic()
    result = _trustctl(tmp_path, "plan", "--program", str(program), "--stack", "test",
                       "--timeout", "3")
    assert time.monotonic() - started < 90
    assert result.returncode == 2
    assert result.stderr.endswith(
        "trustctl: error: program did not finish within 3 s (--timeout); it and every process "
        "it started were killed\n"), result.stderr
    assert _gone(int(pidfile.read_text()))


FLOODS = """
    import os, sys
    print("planning...", flush=True)
    for _ in range(64):  # 64 MiB on one line, then the planner ends without a plan
        sys.stdout.write("x" * (1 << 20))
    sys.stdout.write(" the end")
    sys.stdout.flush()
    os._exit(3)
"""


def test_a_program_printing_64_mib_is_cut_to_its_start_and_end(tmp_path: Path) -> None:
    """Its output used to be kept whole in a file, and its last line read whole into the one-line
    error: 64 MiB on stderr."""
    result = _trustctl(tmp_path, "plan", "--program", str(_program(tmp_path, FLOODS)),
                       "--stack", "test")
    assert result.returncode == 2
    assert len(result.stderr) < OUTPUT_CAP + 2_000
    cut = len("planning...\n") + (64 << 20) + len(" the end") - OUTPUT_CAP
    assert "planning...\nxxx" in result.stderr  # the start
    assert (f"\ntrustctl: ... {cut} bytes of program output not shown (its first and last "
            f"{OUTPUT_CAP // 2} are)\nxxx") in result.stderr
    assert result.stderr.endswith(
        "xx the end\ntrustctl: error: the planner process ended with status 3 without a plan: "
        "..." + "x" * (LAST_LINE_CAP - len(" the end")) + " the end\n"), result.stderr[-700:]


PATCHES_THE_VERDICT = """
    import pulumi_aws as aws
    import trustctl.gate.command as command
    import trustctl.gate.evaluate as evaluate
    from trustctl.report.results import Status

    judged = evaluate.evaluate

    def lenient(*args, **kwargs):
        report = judged(*args, **kwargs)
        for control in report.controls:
            control.status, control.findings = Status.PASS, []
        return report

    evaluate.evaluate = lenient
    command.gate_exit = lambda report: (0, None)
    open({marker!r}, "w").write("patched")
    aws.s3.BucketV2("public", acl="public-read")
"""


def test_a_program_that_patches_the_gate_at_import_cannot_change_the_verdict(
        tmp_path: Path) -> None:
    marker = tmp_path / "patched"
    program = _program(tmp_path, PATCHES_THE_VERDICT.format(marker=str(marker)))
    result = _trustctl(tmp_path, "gate", "--program", str(program), "--stack", "test",
                       "--format", "json", "--evidence-dir", str(tmp_path / "evidence"))
    assert marker.read_text() == "patched"  # the patch ran, in the program's own process
    assert result.returncode == 1, result.stderr
    statuses = {c["id"]: c["status"] for c in json.loads(result.stdout)["controls"]}
    assert statuses["ENC-AT-REST"] == "fail"


def test_a_program_that_writes_the_result_itself_gets_an_input_error(tmp_path: Path) -> None:
    """The program runs in the worker's process and can reach its result file: what is there
    is read as input, and a result that is no plan is a one-line refusal, never a traceback."""
    program = _program(tmp_path, """
        import json, os, sys
        work = sys.argv[1]
        open(os.path.join(work, "result.json"), "w").write(json.dumps({"plan": {"x": 1}}))
        os._exit(0)
    """)
    result = _trustctl(tmp_path, "plan", "--program", str(program), "--stack", "test")
    assert result.returncode == 2, result.stderr
    assert "returned no plan it could have made" in result.stderr
    assert "Traceback" not in result.stderr
