"""checkov, started before its input exists: import first, then read what to run from stdin.

Importing checkov (every framework's runner and check registry) and parsing its built-in graph
checks is most of a run's cost. The gate starts this script before it plans the Pulumi program,
naming the frameworks its runs may use (`warm_start.py terraform_plan github_actions yaml`):
only those frameworks' runners are imported, and a run asking for another is refused. It
writes one line of JSON per run: `argv` (checkov's arguments) and `resource_types` (every
Terraform type the plans declare). The repository's workflows come first and run as soon as
checkov has imported, while the program is still being planned; the plans come when they are
ready. Built-in graph checks of types no plan declares cannot apply to anything, so they are
dropped (checkov would evaluate each over the whole graph). Each run is plain
`checkov <argv>`; its report is printed as one JSON string per line. Once stdin closes, the
process ends at once: tearing down checkov's thousands of modules and its threads takes most
of a second nobody needs to wait for. Runs with tools/checkov/.venv/bin/python.
"""

import contextlib
import importlib.abc
import importlib.machinery
import io
import json
import os
import sys
import warnings
from types import ModuleType

# checkov.main imports the runner of every framework it has (a third of its start-up); the
# frameworks a run may ask for are given as arguments, and the others' runner modules are
# stand-ins that refuse to run (module -> runner class, framework)
RUNNERS = {
    "checkov.terraform.runner": ("Runner", "terraform"),
    "checkov.cloudformation.runner": ("Runner", "cloudformation"),
    "checkov.kubernetes.runner": ("Runner", "kubernetes"),
    "checkov.serverless.runner": ("Runner", "serverless"),
    "checkov.arm.runner": ("Runner", "arm"),
    "checkov.terraform.plan_runner": ("Runner", "terraform_plan"),
    "checkov.helm.runner": ("Runner", "helm"),
    "checkov.dockerfile.runner": ("Runner", "dockerfile"),
    "checkov.secrets.runner": ("Runner", "secrets"),
    "checkov.json_doc.runner": ("Runner", "json"),
    "checkov.yaml_doc.runner": ("Runner", "yaml"),
    "checkov.github.runner": ("Runner", "github_configuration"),
    "checkov.gitlab.runner": ("Runner", "gitlab_configuration"),
    "checkov.gitlab_ci.runner": ("Runner", "gitlab_ci"),
    "checkov.bitbucket.runner": ("Runner", "bitbucket_configuration"),
    "checkov.bitbucket_pipelines.runner": ("Runner", "bitbucket_pipelines"),
    "checkov.kustomize.runner": ("Runner", "kustomize"),
    "checkov.github_actions.runner": ("Runner", "github_actions"),
    "checkov.bicep.runner": ("Runner", "bicep"),
    "checkov.openapi.runner": ("Runner", "openapi"),
    "checkov.sca_image.runner": ("Runner", "sca_image"),
    "checkov.sca_package_2.runner": ("Runner", "sca_package"),
    "checkov.argo_workflows.runner": ("Runner", "argo_workflows"),
    "checkov.circleci_pipelines.runner": ("Runner", "circleci_pipelines"),
    "checkov.azure_pipelines.runner": ("Runner", "azure_pipelines"),
    "checkov.ansible.runner": ("Runner", "ansible"),
    "checkov.terraform_json.runner": ("TerraformJsonRunner", "terraform_json"),
    "checkov.sast.runner": ("Runner", "sast"),
    "checkov.cdk.runner": ("CdkRunner", "cdk"),
}
# `checkov --list` only, which imports the secrets runner
UNUSED = {"checkov.docs_generator": "print_checks"}


class _NotImported:
    """The runner of a framework this process was not started for: it has a name and no way to
    run (a run asking for it is refused before checkov sees it)."""

    check_type = ""


def _refuse(*args: object, **kwargs: object) -> None:
    raise RuntimeError("not imported by tools/checkov/warm_start.py")


class _StandIns(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, frameworks: set[str]) -> None:
        self.modules = {m for m, (_, framework) in RUNNERS.items() if framework not in frameworks}
        self.modules |= set(UNUSED)

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        if fullname in self.modules:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        if module.__name__ in UNUSED:
            setattr(module, UNUSED[module.__name__], _refuse)
            return
        name, framework = RUNNERS[module.__name__]
        setattr(module, name, type(name, (_NotImported,), {"check_type": framework}))


FRAMEWORKS = set(sys.argv[1:])
KNOWN = {framework for _, framework in RUNNERS.values()}
if FRAMEWORKS - KNOWN:
    sys.exit(f"warm_start: unknown frameworks {sorted(FRAMEWORKS - KNOWN)}")
sys.meta_path.insert(0, _StandIns(FRAMEWORKS))

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


def frameworks_of(argv: list[str]) -> set[str]:
    """The frameworks a run's arguments name (`--framework a b ...`, up to the next flag)."""
    named: set[str] = set()
    for i, arg in enumerate(argv):
        if arg == "--framework":
            for value in argv[i + 1:]:
                if value.startswith("-"):
                    break
                named.add(value)
    return named


if __name__ == "__main__":
    for line in sys.stdin:  # ends when the gate closes stdin (or gives up)
        message = json.loads(line)
        asked = frameworks_of(message["argv"])
        if not asked or not asked <= FRAMEWORKS:
            sys.exit(f"warm_start: a run asks for {sorted(asked) or 'every framework'}, this "
                     f"process imported {sorted(FRAMEWORKS)}")
        if message["resource_types"]:
            keep_applicable_graph_checks(set(message["resource_types"]))
        sys.stdout.write(json.dumps(run(message["argv"])) + "\n")
        sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
