"""Every benchmark runs at a tiny size on every CI run, so a refactor that breaks one fails here.

A benchmark nobody runs rots (two once died on a renamed helper and a changed argument type).
The real sizes stay manual; here each script runs end to end and must print its ratio line.
Nothing is timed: the figures are for people, measured on a quiet machine.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from trustctl.paths import REPO_ROOT

BENCHMARKS = REPO_ROOT / "benchmarks"
HELPERS = {"backup_setup.py"}  # shared set-up, not a benchmark

# script -> (tiny arguments, the line that must come out with a figure in it)
TINY = {
    "audit_speed.py": (["--buckets", "3", "--keys", "2", "--databases", "1", "--groups", "2",
                        "--parallel", "2", "--latency-ms", "0"], r"ratio \d"),
    "backup_speed.py": (["--size-mb", "4", "--rounds", "1"],
                        r"ratio vs same compression\s*: \d.*into moto S3"),
    "drill_speed.py": (["--size-mb", "4"], r"ratio whole drill / pg_restore\s*: \d"),
    "gate_bench.py": (["--rounds", "1", "--load"], r"ratio gate / checkov: \d"),
    "pack_bench.py": (["--rounds", "1"], r"ratio pack / gate: \d"),
    "rto_scale.py": (["--sizes", "4"], r"projected RTO 100 GB: \d"),
    "sandbox_seed.py": (["4"], r"speed-up x\d"),
}


def test_every_benchmark_has_a_tiny_size() -> None:
    scripts = {p.name for p in BENCHMARKS.glob("*.py")} - HELPERS
    assert scripts == set(TINY), (
        "give each benchmark tiny arguments here so CI runs it: "
        f"missing {sorted(scripts - set(TINY))}, gone {sorted(set(TINY) - scripts)}")


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_at_a_tiny_size(script: str) -> None:
    arguments, expected = TINY[script]
    proc = subprocess.run([sys.executable, str(BENCHMARKS / script), *arguments],
                          cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert re.search(expected, proc.stdout), proc.stdout
