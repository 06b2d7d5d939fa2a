"""checkov, started before its input exists: import first, then read the arguments from stdin.

Importing checkov (every framework's runner and check registry) and parsing its built-in graph
checks is most of a run's cost. The gate starts this script while it is still planning the Pulumi
program, then writes one line of JSON (checkov's argv) when the plan is ready; the run itself is
plain `checkov <argv>`. Once the report is printed, the process ends at once: tearing down
checkov's thousands of modules and its threads takes most of a second nobody needs to wait for.
Runs with tools/checkov/.venv/bin/python.
"""

import json
import os
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=SyntaxWarning)
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.main import Checkov

    # parsing the built-in YAML graph checks is part of every terraform_plan run: do it now
    get_graph_checks_registry("terraform").load_checks()

if __name__ == "__main__":
    line = sys.stdin.readline()
    if not line.strip():
        sys.exit(0)  # the gate gave up before the plan was ready
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        code = Checkov(json.loads(line)).run()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
