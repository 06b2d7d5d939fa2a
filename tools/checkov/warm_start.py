"""checkov, started before its input exists: import first, then read the arguments from stdin.

Importing checkov (every framework's runner and check registry) is most of a run's cost. The
gate starts this script while it is still planning the Pulumi program, then writes one line of
JSON (checkov's argv) when the plan is ready; the run itself is plain `checkov <argv>`.
Runs with tools/checkov/.venv/bin/python.
"""

import json
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=SyntaxWarning)
    from checkov.main import Checkov

if __name__ == "__main__":
    line = sys.stdin.readline()
    if not line.strip():
        sys.exit(0)  # the gate gave up before the plan was ready
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        sys.exit(Checkov(json.loads(line)).run())
