"""Limits on the files a pull request controls, checked before they are parsed.

A pull request writes policies/exceptions.yaml and owners.yaml, the on-call roster,
tenancy.yaml, the stack's config and the preview/state JSON the gate reads. Each kind has a
ceiling in bytes, checked on the file's size before a byte is parsed, and YAML a ceiling in
values (scalars, mappings, sequences) counted as its aliases expand them (a few hundred bytes
of `&a`/`*a` can stand for billions) and in nesting (libyaml crashes, and PyYAML recurses, on
a file nested thousands deep). Both are counted on libyaml's event stream, which stops at the
first value over the limit, so nothing is built from a file that is refused. Past a limit one
line names the file, what it is and the limit: a 50 MB exceptions file is refused at once
instead of parsing for minutes at 1.6 GB.

Every YAML file trustctl reads goes through `load_yaml`: one parse by libyaml's safe loader,
and bad input worded the same whatever the file (`cannot read WHAT PATH: why`, or
`PATH:LINE: not valid YAML (problem)`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from trustctl.errors import InputError

MAX_YAML_DEPTH = 64  # the deepest real policy file or stack config here is 6 levels


@dataclass(frozen=True)
class Limit:
    """The most a file of one kind may hold; `max_values` counts YAML values (aliases expanded)
    or, for JSON, what the caller counts (resources)."""

    what: str  # with its article: "an exceptions file"
    max_bytes: int
    max_values: int


EXCEPTIONS = Limit("an exceptions file", 1 << 20, 100_000)
OWNERS = Limit("an owners file", 256 << 10, 20_000)
STACK_CONFIG = Limit("a Pulumi project or stack config", 1 << 20, 100_000)
TENANCY = Limit("a tenancy file", 1 << 20, 100_000)
ROSTER = Limit("an on-call roster", 1 << 20, 100_000)
REVIEW = Limit("an access review", 64 << 20, 5_000_000)  # one row per principal and resource
WORKFLOW = Limit("a GitHub Actions workflow", 1 << 20, 100_000)
CODEOWNERS = Limit("a CODEOWNERS file", 1 << 20, 100_000)
PULUMI_JSON = Limit("a Pulumi preview or state", 256 << 20, 200_000)  # values: resources
STACK_OUTPUTS = Limit("a stack outputs file", 16 << 20, 100_000)
# written by the base branch's owners, still bounded: `--policies` may name any directory
CATALOG = Limit("a control catalog", 1 << 20, 100_000)
ATTESTATION = Limit("an attestation", 256 << 10, 20_000)
CHECK = Limit("a project check", 256 << 10, 20_000)


class UnreadableFile(InputError):
    """A file that could not be read or is not YAML (not one refused past its limits): a reader
    that can go on without it (the gate's workflows) names it instead."""


@dataclass(frozen=True)
class YamlFile:
    """A YAML file as read: the document, its node tree (for lines) and its exact bytes."""

    document: Any
    node: yaml.Node | None
    raw: bytes


def read_bytes(path: Path, limit: Limit) -> bytes:
    """The file's bytes, refused by its size before it is read (OSError is the caller's to
    word: it knows which flag named the file)."""
    size = path.stat().st_size
    if size <= limit.max_bytes:
        with path.open("rb") as file:
            data = file.read(limit.max_bytes + 1)
        if len(data) <= limit.max_bytes:
            return data
        size = len(data)  # it grew while being read
    raise InputError(f"{path}: {size:,} bytes, over the {limit.max_bytes:,}-byte limit for "
                     f"{limit.what} (refused before parsing)")


def read_text(path: Path, limit: Limit) -> str:
    return read_bytes(path, limit).decode()


def require_at_most(count: int, limit: Limit, path: Path, unit: str) -> None:
    """Refuse an input holding more than `limit.max_values` of something (resources, entries)."""
    if count > limit.max_values:
        raise InputError(f"{path}: {count:,} {unit}, over the limit of {limit.max_values:,} for "
                         f"{limit.what}")


def within_limits(text: str | bytes, path: Path, limit: Limit,
                  loader: type = yaml.CSafeLoader) -> None:
    """Refuse YAML nested deeper than MAX_YAML_DEPTH or expanding to more than
    `limit.max_values` values, reading only as far as the first value over the limit. A
    malformed document is left to the caller's parser, which words it with its line."""
    counts: list[int] = [0]  # values so far in each open collection; [0] is the document
    anchors: dict[str, int] = {}
    open_anchors: list[str | None] = []
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise _refused(path, event, "a YAML alias refers to a value it is part of, "
                                   "or to no anchor")
                counts[-1] += anchors[event.anchor]
            elif isinstance(event, yaml.ScalarEvent):
                counts[-1] += 1
                if event.anchor:
                    anchors[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                if len(counts) > MAX_YAML_DEPTH:
                    raise _refused(path, event, f"nested deeper than {MAX_YAML_DEPTH} levels")
                counts.append(1)
                open_anchors.append(event.anchor)
            elif isinstance(event, yaml.CollectionEndEvent):
                done, anchor = counts.pop(), open_anchors.pop()
                counts[-1] += done
                if anchor:
                    anchors[anchor] = done
            if sum(counts) > limit.max_values:
                raise _refused(path, event, f"more than {limit.max_values:,} values once its "
                               f"aliases are expanded, the limit for {limit.what}")
    except yaml.YAMLError:
        return


def _refused(path: Path, event: yaml.Event, problem: str) -> InputError:
    return InputError(f"{path}:{event.start_mark.line + 1}: {problem}")


def load_yaml(path: Path, limit: Limit, what: str | None = None,
              loader: type = yaml.CSafeLoader) -> YamlFile:
    """`path` within `limit` (its size before it is read, its values and nesting before
    anything is built), parsed once by `loader`. `what` names it in errors (default: the
    limit's). InputError past a limit; UnreadableFile when it cannot be read or is not YAML."""
    try:
        raw = read_bytes(path, limit)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {what or limit.what} {path}: "
                             f"{exc.strerror or exc}") from None
    within_limits(raw, path, limit, loader)
    parser = loader(raw)
    try:
        node = parser.get_single_node()
        return YamlFile(parser.construct_document(node) if node is not None else None, node, raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UnreadableFile(f"{where}: not valid YAML ({problem})") from None
    finally:
        parser.dispose()


def load_json(path: Path, limit: Limit) -> Any:
    """A JSON file within its byte limit; json's errors (and OSError) are the caller's to word,
    except nesting too deep for Python, which would otherwise surface as an internal error."""
    text = read_text(path, limit)
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deep to read") from None
