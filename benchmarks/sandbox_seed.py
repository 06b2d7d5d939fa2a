"""Benchmark: seeding the sandbox database with parallel workers vs one connection.

Seeds the same size twice on fresh embedded Postgres servers, first with one worker (the
baseline), then with the default workers, and prints the ratio. Usage:
    uv run python benchmarks/sandbox_seed.py [size_mb]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from trustctl.pg.server import LocalPostgres
from trustctl.sandbox import seed


def seconds_to_seed(size_mb: int, workers: int | None) -> float:
    with tempfile.TemporaryDirectory() as tmp, LocalPostgres.start(Path(tmp) / "data") as pg:
        started = time.perf_counter()
        seed.seed(pg, size_mb, lambda _line: None, workers=workers)
        return time.perf_counter() - started


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    baseline = seconds_to_seed(size_mb, workers=1)
    parallel = seconds_to_seed(size_mb, workers=None)
    print(f"seed {size_mb} MB: 1 worker {baseline:.1f} s, default workers {parallel:.1f} s, "
          f"speed-up x{baseline / parallel:.2f}")


if __name__ == "__main__":
    main()
