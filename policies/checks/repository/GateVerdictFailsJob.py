"""The gate's verdict fails its job: a non-zero exit of `trustctl gate` reaches the job's status
through steps nothing can skip, whatever the workflow's shape.

Two shapes are proven; anything else fails, since a shape the check cannot follow is one it
cannot vouch for:
- direct: the step's script runs the gate as a plain command under a shell that stops at the
  first failure (GitHub's default bash or sh: `-e`), with no `set +e`, no `trap`, and nothing
  on the line that swallows the exit (`|| true`, a pipe, `&&`, `;`, `if`, `!`, `&`, `$(...)`);
- recorded: after `set +e` the very next line writes the exit to the step's outputs
  (`echo "exit=$?" >> "$GITHUB_OUTPUT"`), and a later step that always runs (no `if:` but
  `always()`, no continue-on-error) takes it through `env:` and ends with `exit "$VAR"`.
No job, gate step or failing step may have an `if:` that can skip it, or continue-on-error.
"""

import re
from typing import Any

from trust_check_support import Metadata
from workflow_support import WorkflowCheck, jobs, lenient, runs, steps

GATE = "trustctl gate"
ALWAYS = {"", "always()", "success()", "!cancelled()"}  # success() is the default
ERREXIT_SHELLS = {None, "bash", "sh"}  # GitHub runs both with -e
SWALLOWS = re.compile(r"\|\||&&|;|\||(?<![<>])&(?!>)|`|\$\(|^\s*(!|if\b|while\b|until\b)")
QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")
NO_ERREXIT = re.compile(r"\bset\s+(\+e\b|\+o\s+errexit\b)|\bset\s+\+\w*e")
RECORDS = re.compile(r"""^echo\s+["']?(\w+)=\$\?["']?\s*>>\s*["']?\$\{?GITHUB_OUTPUT\}?["']?$""")
OUTPUT = re.compile(r"^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$")
TALKS = re.compile(r"^(echo|printf)\b")

METADATA = Metadata(
    severity="HIGH",
    risk="The gate fails a pull request but CI stays green: a broken promise merges with a "
         "passing check.",
    remediation="Run `trustctl gate` as a plain command in a step without continue-on-error "
                "or `if:`; or record its exit (`echo \"exit=$?\" >> \"$GITHUB_OUTPUT\"` right "
                "after it) and end the job with a step `if: always()` that runs "
                "`exit \"$GATE_EXIT\"` (env GATE_EXIT: ${{ steps.<id>.outputs.exit }}).",
)


def _condition(node: dict[str, Any]) -> str:
    text = str(node.get("if", "")).replace(" ", "")
    return text[3:-2] if text.startswith("${{") and text.endswith("}}") else text


def _title(step: dict[str, Any], index: int) -> str:
    return repr(str(step.get("name") or step.get("id") or f"step {index + 1}"))


def _lines(script: str) -> list[str]:
    """Logical lines (backslash continuations joined), comments and blanks left out."""
    joined = re.sub(r"\\\n", " ", script)
    return [line.strip() for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _shell(workflow: dict[str, Any], job: dict[str, Any], step: dict[str, Any]) -> Any:
    for node in (step, (job.get("defaults") or {}).get("run") or {},
                 (workflow.get("defaults") or {}).get("run") or {}):
        if isinstance(node, dict) and node.get("shell") is not None:
            return node["shell"]
    return None


def _skippable(node: dict[str, Any], what: str) -> list[str]:
    found = [] if _condition(node) in ALWAYS else [
        f"{what} has `if: {node.get('if')}`, which can skip it (only always() may stand there)"]
    return found + ([f"{what} has continue-on-error, so its failure does not fail the job"]
                    if lenient(node) else [])


def _gate_step(workflow: dict[str, Any], job: dict[str, Any], all_steps: list[dict[str, Any]],
               index: int) -> list[str]:
    step, title = all_steps[index], _title(all_steps[index], index)
    found = _skippable(step, f"step {title}")
    shell = _shell(workflow, job, step)
    if shell not in ERREXIT_SHELLS:
        found.append(f"step {title} runs under `shell: {shell}`, which may not stop at a "
                     "failing command (use bash)")
    lines = _lines(str(step.get("run") or ""))
    at = next(i for i, line in enumerate(lines) if runs({"run": line}, GATE))
    if SWALLOWS.search(QUOTED.sub("''", lines[at])):
        found.append(f"step {title} ignores the gate's exit (`{lines[at]}`)")
    if any(line.startswith("trap") for line in lines):
        found.append(f"step {title} sets a trap, which can change its exit")
    if not any(NO_ERREXIT.search(line) for line in lines[:at]):
        return found
    recorded = RECORDS.match(lines[at + 1]) if at + 1 < len(lines) else None
    if recorded is None or not step.get("id"):
        return [*found, f"step {title} turns off `set -e` and does not record the gate's exit on "
                        "the next line (echo \"exit=$?\" >> \"$GITHUB_OUTPUT\", with an id)"]
    return found + _failed_by_a_later_step(all_steps, index, str(step["id"]), recorded[1])


def _failed_by_a_later_step(all_steps: list[dict[str, Any]], index: int, step_id: str,
                            output: str) -> list[str]:
    """A later step turns the recorded exit into the job's failure; why none does."""
    why = []
    for later in range(index + 1, len(all_steps)):
        step = all_steps[later]
        names = [k for k, v in (step.get("env") or {}).items()
                 if (m := OUTPUT.match(str(v).strip())) and m.groups() == (step_id, output)]
        if not names:
            continue
        title = _title(step, later)
        lines = _lines(str(step.get("run") or ""))
        exits = re.compile(r"^exit\s+\"?\$\{?(" + "|".join(map(re.escape, names))
                           + r")(:-[1-9]\d*)?\}?\"?$")
        problems = _skippable(step, f"step {title}")
        if not lines or not exits.match(lines[-1]):
            problems.append(f"step {title} does not end with `exit \"${names[0]}\"`")
        problems += [f"step {title} runs `{line}` besides the exit"
                     for line in lines[:-1] if not TALKS.match(line) or SWALLOWS.search(
                         QUOTED.sub("''", line))]
        if not problems:
            return []
        why += problems
    gate = _title(all_steps[index], index)
    return why or [f"nothing fails the job when the gate fails: step {gate} records its exit "
                   f"({output}=$?) and no later step exits with it"]


class GateVerdictFailsJob(WorkflowCheck):
    def problems(self, workflow: dict[str, Any]) -> list[str] | None:
        gating = {name: job for name, job in jobs(workflow).items()
                  if any(runs(s, GATE) for s in steps(job))}
        if not gating:
            return None
        found = []
        for name, job in gating.items():
            problems = _skippable(job, "the job")
            all_steps = steps(job)
            for index, step in enumerate(all_steps):
                if runs(step, GATE):
                    problems += _gate_step(workflow, job, all_steps, index)
            found += [f"job {name}: {p}" for p in problems]
        return found


check = GateVerdictFailsJob(
    check_id="CKV_TRUST_65",
    name="Ensure a failing policy gate fails its job, by steps nothing can skip",
    metadata=METADATA)
