"""The provider SDK modules a program names, imported in a thread while it is planned.

The gate translates the plan with the SDKs' input types (gate/resource_types.py), imported in
its own process: the worker that ran the program imported them too, but the judge cannot take
anything from it. Started as planning starts, this imports in the judge the SDK members the
program's source names (`cloudflare.Ruleset`, `aws.ec2.SecurityGroup`, read as text, never
run) while the judge only waits for the worker, so on a loaded runner the imports overlap
planning and checkov's start instead of following them. The caller chooses which members
(the gate: those whose input types it has not kept from a run before, gate/sdk_schema.py) and
what follows their import, and joins the thread before it imports SDKs itself (two threads
importing the same modules could meet in a cycle). A hint only: whatever it misses is imported
when translated, a name that is not an SDK member is left alone, nothing else changes.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from trustctl.plan.lazy_provider import import_sdk

IMPORT = re.compile(r"^\s*import pulumi_(\w+)(?: as (\w+))?", re.MULTILINE)
MAX_FILES = 500


def named_members(program_dir: Path) -> dict[str, set[tuple[str, ...]]]:
    """provider package -> the attribute paths (`("ec2", "SecurityGroup")`) the program's
    Python files name after an `import pulumi_<package> [as alias]`."""
    named: dict[str, set[tuple[str, ...]]] = {}
    for path in sorted(program_dir.rglob("*.py"))[:MAX_FILES]:
        if ".venv" in path.parts:
            continue
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = path.read_text(encoding="utf-8")
            for package, alias in IMPORT.findall(text):
                name = alias or f"pulumi_{package}"
                for chain in re.findall(rf"\b{re.escape(name)}((?:\.[A-Za-z]\w*)+)", text):
                    named.setdefault(package, set()).add(tuple(chain.split(".")[1:3]))
    return named


Chains = set[tuple[str, ...]]


def warm(program_dir: Path, wanted: Callable[[str, Chains], Chains],
         then: Callable[[str, Chains], None]) -> threading.Thread:
    """Imports the members the program names, in a daemon thread (returned, started): of each
    package, those `wanted(package, named)` returns, then calls `then(package, imported)`."""
    thread = threading.Thread(target=_import_named, args=(program_dir, wanted, then),
                              name="sdk-warmup", daemon=True)
    thread.start()
    return thread


def _import_named(program_dir: Path, wanted: Callable[[str, Chains], Chains],
                  then: Callable[[str, Chains], None]) -> None:
    for package, named in named_members(program_dir).items():
        chains = wanted(package, named)
        if not chains:
            continue
        try:
            module = import_sdk(package)
        except Exception:  # not installed, or broken: translation will say so
            continue
        for chain in sorted(chains):
            _resolve(module, chain)
        then(package, chains)


def _resolve(package: ModuleType, chain: tuple[str, ...]) -> None:
    """Follows `chain` from the package: its first name only if the package binds it or its
    index lists it (never the lazy package's import-everything fallback)."""
    if chain[0] not in vars(package) and chain[0] not in getattr(package, "__all__", ()):
        return
    member: object = package
    for name in chain:
        try:
            member = getattr(member, name)
        except Exception:  # a name the SDK lacks: nothing to warm
            return
