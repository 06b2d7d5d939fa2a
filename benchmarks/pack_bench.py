"""The policy pack's `AnalyzeStack` vs the gate, on the same resources: Claver's stack (infra/,
planned offline once).

Both are measured in this run, on this machine, alternating, from nothing (fresh processes):
the pack started as Pulumi's engine starts it (trustctl/pack/engine_driver.py), asked for its
policies, then handed the stack's resources in one `AnalyzeStack` (time to the answer, and of
the call alone), against `trustctl gate --state FILE` over the same resources written as a
stack export. Prints the median of each and their ratio (target: <= 1.0x: the pack starts
checkov before the engine's first call, and judges no repository files).

    uv run python benchmarks/pack_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from trustctl.pack.engine_driver import MANDATORY, from_plan, running_pack
from trustctl.paths import REPO_ROOT
from trustctl.plan import plan_program
from trustctl.plan.model import Plan


def _export(plan: Plan) -> dict[str, Any]:
    """The planned resources as `pulumi stack export` writes them (outputs: their inputs)."""
    return {"version": 3, "deployment": {"resources": [
        {"urn": r.urn, "type": r.type, "custom": r.custom, "inputs": r.inputs,
         "outputs": r.inputs, "parent": r.parent, "dependencies": r.dependencies,
         "propertyDependencies": r.property_dependencies} for r in plan.resources]}}


def _gate(state: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "trustctl.cli", "gate", "--state", str(state),
                           "--format", "json"], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"gate exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return elapsed


def _pack(plan: Plan, env: dict[str, str]) -> tuple[float, float]:
    """(from starting the pack to AnalyzeStack's answer, the AnalyzeStack call alone)."""
    resources = from_plan(plan)
    start = time.perf_counter()
    with running_pack(plan.stack, plan.project, env=env) as pack:
        pack.info()
        called = time.perf_counter()
        diagnostics = pack.analyze_stack(resources)
        answered = time.perf_counter()
    if any(d.level == MANDATORY for d in diagnostics):
        raise SystemExit("the pack reports a mandatory violation on Claver's stack")
    return answered - start, answered - called


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    plan = plan_program(REPO_ROOT, "prod")
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.json"
        state.write_text(json.dumps(_export(plan)))
        env = {**os.environ, "TRUSTCTL_EVIDENCE_DIR": str(Path(tmp) / "evidence")}
        gate_times, pack_times, call_times = [], [], []
        for _ in range(rounds):
            gate_times.append(_gate(state, env))
            whole, call = _pack(plan, env)
            pack_times.append(whole)
            call_times.append(call)
    gate, pack, call = (statistics.median(t) for t in (gate_times, pack_times, call_times))
    custom = sum(r.custom for r in plan.resources)
    print(f"Claver's stack: {custom} custom resources ({len(plan.resources)} with components)")
    print(f"trustctl gate --state (same resources): median {gate:6.2f} s  "
          f"{[round(t, 2) for t in gate_times]}")
    print(f"pack, start to AnalyzeStack answer:     median {pack:6.2f} s  "
          f"{[round(t, 2) for t in pack_times]}")
    print(f"pack, the AnalyzeStack call alone:      median {call:6.2f} s  "
          f"{[round(t, 2) for t in call_times]}")
    print(f"ratio pack / gate: {pack / gate:.2f}x (call alone {call / gate:.2f}x; "
          "target <= 1.0x)")


if __name__ == "__main__":
    main()
