"""The whole gate on this repository vs a bare checkov run over the same inputs.

Both are measured in this run, on this machine, alternating, as fresh processes (what CI and a
developer pay): `trustctl gate` (plan the Pulumi program offline, translate, checkov and zizmor
over the plan and the repository's .github, report by control) against the `checkov` command
given the same translated plan, the same workflow and Dependabot files and the same arguments.
Prints the median of each and their ratio (target: <= 1.0x: planning hidden behind checkov's
start-up, checkov given only the checks that can apply).

--load also runs a busy loop on one core for the whole measurement (started and stopped here):
a loaded CI runner, where the planning's imports no longer hide behind checkov's start-up.

    uv run python benchmarks/gate_bench.py [--rounds N] [--load]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from trustctl.gate.checkov_runner import checkov_env, checkov_venv, stage
from trustctl.paths import REPO_ROOT

GATE = [sys.executable, "-m", "trustctl.cli", "gate", "--format", "json"]


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return elapsed


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
        gate_times, checkov_times = [], []
        for _ in range(rounds):
            gate_times.append(_timed(GATE))
            checkov_times.append(_timed(bare, checkov_env()))
    gate, checkov = statistics.median(gate_times), statistics.median(checkov_times)
    print(f"trustctl gate (this repository):        median {gate:6.2f} s  "
          f"{[round(t, 2) for t in gate_times]}")
    print(f"bare checkov, same plan and workflows:   median {checkov:6.2f} s  "
          f"{[round(t, 2) for t in checkov_times]}")
    load = ", one core busy" if args.load else ""
    print(f"ratio gate / checkov: {gate / checkov:.2f}x (target <= 1.0x{load})")


if __name__ == "__main__":
    main()
