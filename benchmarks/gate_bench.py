"""The whole gate on this repository vs a bare checkov run over the same translated plan.

Both are measured in this run, on this machine, alternating, as fresh processes (what CI and a
developer pay): `trustctl gate` (plan the Pulumi program offline, translate, checkov with the
project's checks, report by control) against `checkov -f plan.json` with the same arguments.
Prints the median of each and their ratio (target: <= 1.5x).

    uv run python benchmarks/gate_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from trustctl.gate.checkov_runner import checkov_args, checkov_env, checkov_venv
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.json"
        _timed([*GATE, "--tf-plan-out", str(plan)])  # warm caches; keep the translated plan
        bare = [str(checkov_venv() / "bin" / "checkov"), *checkov_args(plan)]
        gate_times, checkov_times = [], []
        for _ in range(rounds):
            gate_times.append(_timed(GATE))
            checkov_times.append(_timed(bare, checkov_env()))
    gate, checkov = statistics.median(gate_times), statistics.median(checkov_times)
    print(f"trustctl gate (this repository):        median {gate:6.2f} s  "
          f"{[round(t, 2) for t in gate_times]}")
    print(f"bare checkov, same translated plan:      median {checkov:6.2f} s  "
          f"{[round(t, 2) for t in checkov_times]}")
    print(f"ratio gate / checkov: {gate / checkov:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
