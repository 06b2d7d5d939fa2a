"""checkov, started before its input exists: import first, then read what to run from stdin.

Importing checkov (every framework's runner and check registry) and parsing its built-in graph
checks is most of a run's cost. The gate starts this script before it plans the Pulumi program
and writes one line of JSON per run: `argv` (checkov's arguments) and `resource_types` (every
Terraform type the plans declare). The repository's workflows come first and run as soon as
checkov has imported, while the program is still being planned; the plans come when they are
ready. Built-in graph checks of types no plan declares cannot apply to anything, so they are
dropped (checkov would evaluate each over the whole graph). Each run is plain
`checkov <argv>`; its report is printed as one JSON string per line. Once stdin closes, the
process ends at once: tearing down checkov's thousands of modules and its threads takes most
of a second nobody needs to wait for. Runs with tools/checkov/.venv/bin/python.
"""

import contextlib
import io
import json
import os
import sys
import warnings

# every framework of a run in this process, one after the other: checkov forks one process per
# framework (and per file parsed), which costs CPU (copying this process's pages, pickling each
# report back) and buys nothing here, where the repository's run overlaps planning and the
# plans' run is one framework; the checks and their results are the same
os.environ["CHECKOV_PARALLELIZATION_TYPE"] = "none"

with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=SyntaxWarning)
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.main import Checkov

    # parsing the built-in YAML graph checks is part of every terraform_plan run: do it now
    GRAPH_CHECKS = get_graph_checks_registry("terraform")
    GRAPH_CHECKS.load_checks()


def keep_applicable_graph_checks(resource_types: set[str]) -> None:
    """Drop the built-in graph checks none of whose resource types is declared (a check that
    names no type, or `all`, stays); the project's own are loaded later, all of them."""
    applicable = [c for c in GRAPH_CHECKS.checks
                  if not c.resource_types or "all" in c.resource_types
                  or resource_types.intersection(c.resource_types)]
    if applicable:  # an empty list would make checkov load every check again
        GRAPH_CHECKS.checks = applicable


def run(argv: list[str]) -> str:
    """One checkov run; what it prints is its report."""
    printed = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
        warnings.simplefilter("ignore", category=SyntaxWarning)
        Checkov(argv).run()
    return printed.getvalue()


if __name__ == "__main__":
    for line in sys.stdin:  # ends when the gate closes stdin (or gives up)
        message = json.loads(line)
        if message["resource_types"]:
            keep_applicable_graph_checks(set(message["resource_types"]))
        sys.stdout.write(json.dumps(run(message["argv"])) + "\n")
        sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
