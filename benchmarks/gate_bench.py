"""The whole gate on this repository vs a bare checkov run over the same inputs.

Both are measured in this run, on this machine, alternating, as fresh processes (what CI and a
developer pay): `trustctl gate` (plan the Pulumi program offline, translate, checkov and zizmor
over the plan and the repository's .github, report by control) against the `checkov` command
given the same translated plan, the same workflow and Dependabot files and the same arguments.
Prints the median of each and their ratio (target: <= 1.0x: planning hidden behind checkov's
start-up, checkov given only the checks that can apply).

--load also runs a busy loop on one core for the whole measurement (started and stopped here):
a loaded CI runner, where the planning's imports no longer hide behind checkov's start-up; there
what counts is the CPU each spends, printed too (every process, waited for, counted).

Then each stage of the gate is run on its own, once, with its wall and CPU time: checkov's
start (tools/checkov/warm_start.py importing the gate's frameworks), checkov's scans of the
same inputs once started, planning the program (the worker process: Python, the Pulumi SDK,
the program under mocks), translating the plan (a fresh process, with the SDK answers kept by
the gate's runs above).

    uv run python benchmarks/gate_bench.py [--rounds N] [--load]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from trustctl.gate.checkov_runner import (
    PLAN_FRAMEWORKS,
    REPOSITORY_FRAMEWORKS,
    WARM_START,
    checkov_env,
    checkov_venv,
    stage,
)
from trustctl.paths import REPO_ROOT
from trustctl.plan.isolated import program_environment
from trustctl.plan.worker import REQUEST, RESULT

GATE = [sys.executable, "-m", "trustctl.cli", "gate", "--format", "json"]
TRANSLATE = """
import json, sys
from trustctl.gate.sources import Declared
from trustctl.gate.translate import translate
from trustctl.plan.model import Plan
translate(Declared(Plan.from_json(json.load(open(sys.argv[1]))["plan"]), "benchmark"))
"""


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(cmd: list[str], env: dict[str, str] | None = None,
           stdin: str | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one run (the CPU of every process it waited for, too)."""
    cpu, start = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          check=False, input=stdin)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return elapsed, _children_cpu() - cpu


def stages(inputs: Path, bare_args: list[str]) -> list[tuple[str, float, float]]:
    """Each stage of the gate on its own: (what, wall s, CPU s)."""
    python = str(checkov_venv() / "bin" / "python")
    start = [python, str(WARM_START), *PLAN_FRAMEWORKS, *REPOSITORY_FRAMEWORKS]
    started = _timed(start, checkov_env(), stdin="")
    message = json.dumps({"argv": bare_args, "resource_types": []}) + "\n"
    scanned = _timed(start, checkov_env(), stdin=message)
    work = inputs / "plan-work"
    work.mkdir()
    (work / REQUEST).write_text(json.dumps({"program": str(REPO_ROOT), "stack": "prod",
                                            "config_overrides": {}, "stack_outputs": {},
                                            "timeout": 0}))
    planned = _timed([sys.executable, "-m", "trustctl.plan.worker", str(work)],
                     program_environment())
    translated = _timed([sys.executable, "-c", TRANSLATE, str(work / RESULT)])
    return [("checkov start (import the gate's frameworks, graph checks)", *started),
            ("checkov scans, once started (plan + workflows)",
             scanned[0] - started[0], scanned[1] - started[1]),
            ("planning (worker: Python, Pulumi SDK, program under mocks)", *planned),
            ("translation (fresh process, SDK answers kept)", *translated)]


@contextlib.contextmanager
def busy_core(on: bool) -> Iterator[None]:
    """A process spinning on one core while the body runs (nothing when not `on`)."""
    if not on:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--load", action="store_true",
                        help="measure with a busy loop on one core (a loaded runner)")
    args = parser.parse_args()
    rounds = args.rounds
    with tempfile.TemporaryDirectory() as tmp, busy_core(args.load):
        plan = Path(tmp) / "plan.json"
        _timed([*GATE, "--tf-plan-out", str(plan)])  # warm caches; keep the translated plan
        inputs = Path(tmp) / "inputs"
        inputs.mkdir()
        staged = stage(inputs, [json.loads(plan.read_text())], [REPO_ROOT])
        bare = [str(checkov_venv() / "bin" / "checkov"), *staged.args]
        gate_runs, checkov_runs = [], []
        for _ in range(rounds):
            gate_runs.append(_timed(GATE))
            checkov_runs.append(_timed(bare, checkov_env()))
        each_stage = stages(Path(tmp), staged.args)
    gate, checkov = (statistics.median(t for t, _ in gate_runs),
                     statistics.median(t for t, _ in checkov_runs))
    gate_cpu, checkov_cpu = (statistics.median(c for _, c in gate_runs),
                             statistics.median(c for _, c in checkov_runs))
    print(f"trustctl gate (this repository):        median {gate:6.2f} s  "
          f"{[round(t, 2) for t, _ in gate_runs]}  CPU {gate_cpu:.2f} s")
    print(f"bare checkov, same plan and workflows:   median {checkov:6.2f} s  "
          f"{[round(t, 2) for t, _ in checkov_runs]}  CPU {checkov_cpu:.2f} s")
    for what, wall, cpu in each_stage:
        print(f"  stage: {what}: {wall:.2f} s, CPU {cpu:.2f} s")
    load = ", one core busy" if args.load else ""
    print(f"CPU gate / checkov: {gate_cpu / checkov_cpu:.2f}x")
    print(f"ratio gate / checkov: {gate / checkov:.2f}x (target <= 1.0x{load})")


if __name__ == "__main__":
    main()
