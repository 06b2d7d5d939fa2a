"""The child process that runs a Pulumi program (`python -m trustctl.plan.worker DIR`).

A program is code from a pull request: it runs here, never in the process that judges it, so
nothing it patches at import time (the gate's checks, its verdict) reaches the judgment. The
request (program, stack, config overrides, stack outputs, time limit) is read from DIR/request
and the plan, or the one-line failure, written to DIR/result: nothing goes through argv.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REQUEST = "request.json"
RESULT = "result.json"
FAILED = 2  # the program failed; result.json says how


def _plan(work: Path) -> tuple[dict, int]:
    from trustctl.errors import InputError
    from trustctl.plan.lazy_provider import install

    install()  # before the program imports a provider SDK
    from trustctl.plan.planner import plan_program

    request = json.loads((work / REQUEST).read_text(encoding="utf-8"))
    try:
        plan = plan_program(Path(request["program"]), request["stack"],
                            request["config_overrides"], request["stack_outputs"],
                            request["timeout"])
    except InputError as exc:
        return {"error": str(exc)}, FAILED
    return {"plan": plan.to_json()}, 0


def main() -> None:
    """Write the result, then end at once: a thread or child the program left running must
    not keep this process alive (the parent kills the process group after)."""
    work = Path(sys.argv[1])
    result, code = _plan(work)
    partial = work / f"{RESULT}.partial"
    partial.write_text(json.dumps(result), encoding="utf-8")
    partial.rename(work / RESULT)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
