"""What translation reads of the installed provider SDKs, remembered from one run to the next.

Translating a plan reads, of each resource type, whether an installed SDK declares it, the input
type its resource takes and the properties of each input type read (gate/resource_types.py).
Reading that from the SDK means importing its modules, most of the judge's own time
(pulumi_cloudflare's `_inputs` is 4.6 MB), for answers that do not change while the same SDKs
are installed. So the answers a run reads are kept, one file per provider in
$TRUSTCTL_HOME/sdk-schema (default <repo>/.trustctl/sdk-schema), named by the hash of the
installed SDKs' file lists (their RECORD: every file and its sha256, the version in its
path) and of this module's source: another SDK, or another way of reading it, is another
file, never a stale answer. Only the SDK's answers are kept (declared tokens; per property,
whether it is a map and which input type it holds); the naming rules apply to them as to the
classes themselves, and whatever a file lacks is read from the SDK, then kept.

The program being judged runs as the same user and could write these files: a run reads them
before any program is planned and, at its end, writes back only that copy with what it read
from the SDK itself (atomically) whenever the file is no longer what it read, so what a program
writes reaches neither the run that planned it nor the next one. Between runs a file is as
trusted as the SDK it describes, which lives where the same user writes.
"""

from __future__ import annotations

import collections.abc as abc
import contextlib
import hashlib
import importlib
import importlib.util
import json
import os
import tempfile
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from trustctl.paths import state_home

SCHEMA_DIR = "sdk-schema"
SDK_PREFIX = "pulumi_"


@dataclass(frozen=True)
class Field:
    """One property of an SDK input type: whether its keys are data (a map), and the input type
    it holds (through Optional, Input, lists and maps), named `module:Class`, if any."""

    is_map: bool
    nested: str | None = None


def type_name(type_id: str) -> str:
    """`pulumi_aws.lb._inputs:ListenerRuleActionArgs` -> `ListenerRuleActionArgs`."""
    return type_id.rpartition(":")[2]


@cache
def sdk_resource_tokens(package: str) -> dict[str, tuple[str, str]]:
    """Every resource type the installed pulumi-<package> declares -> (module, class name),
    from the registry the SDK fills when imported."""
    from trustctl.plan.lazy_provider import import_sdk

    try:
        import_sdk(package)  # its registry is filled at once, its modules on first use
    except ImportError:
        return {}
    from pulumi.runtime import rpc

    tokens: dict[str, tuple[str, str]] = {}
    for modules in rpc._RESOURCE_MODULES.values():
        for module in modules:
            info = getattr(module, "mod_info", None) or {}
            if info.get("pkg") == package:
                tokens.update({t: (info["fqn"], cls) for t, cls in info["classes"].items()})
    return tokens


class ProviderSchema:
    """The answers of the installed pulumi-<package> that translation reads: from the file a
    run before kept, else from the SDK (then kept: `save`)."""

    def __init__(self, package: str, path: Path | None) -> None:
        self.package = package
        self.path = path  # None: no RECORD to name the SDK by, nothing is kept
        self._tokens: dict[str, list[str]] | None = None  # token -> [module, class]
        self._resources: dict[str, list[str | None]] = {}  # token -> [args type, class name]
        self._types: dict[str, dict[str, list[Any]]] = {}  # type -> property -> [map, nested]
        self._dirty = False
        self._seen: bytes | None = None  # the file as this run read it (None: there was none)
        if path is not None:
            self._read(path)

    def _read(self, path: Path) -> None:
        self._seen = _contents(path)
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            kept = json.loads((self._seen or b"").decode("utf-8"))
            tokens, resources, types = kept["tokens"], kept["resources"], kept["types"]
            if all(isinstance(x, dict) for x in (resources, types)) and (
                    tokens is None or isinstance(tokens, dict)):
                self._tokens, self._resources, self._types = tokens, resources, types

    def declares(self, token: str) -> bool:
        return token in self._declared()

    def resource_class(self, token: str) -> tuple[str, str] | None:
        """(module, class name) of a declared resource type."""
        found = self._declared().get(token)
        return (found[0], found[1]) if found else None

    def _declared(self) -> dict[str, list[str]]:
        if self._tokens is None:
            self._tokens = {t: list(where) for t, where in sdk_resource_tokens(self.package)
                            .items()}
            self._dirty = True
        return self._tokens

    def resource_args(self, token: str) -> tuple[str | None, str]:
        """The input type a resource of `token` takes (`<Class>InitArgs` when a nested input
        type took `<Class>Args`, as s3.BucketServerSideEncryptionConfiguration), and the
        resource's class name; (None, "") when the SDK has no such class."""
        if token not in self._resources:
            self._resources[token] = list(_live_resource_args(token))
            self._dirty = True
        args, name = self._resources[token]
        return args, name or ""

    def unknown(self, chains: abc.Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
        """Those of `chains` (what a program names after the package: `("s3", "BucketV2")`,
        `("Ruleset",)`) that may be resource classes whose input type is not kept: every one
        until the SDK's tokens are."""
        if self._tokens is None:
            return set(chains)
        by_class = {(module, name): token for token, (module, name) in self._tokens.items()}
        return {chain for chain in chains
                if any(not self._has_args(by_class[where]) for where in self._classes(chain)
                       if where in by_class)}

    def keep(self, chains: abc.Iterable[tuple[str, ...]]) -> None:
        """Read (from the SDK, once) the input type of each resource class among `chains`."""
        by_class = {tuple(where): token for token, where in self._declared().items()}
        for chain in chains:
            for where in self._classes(chain):
                if where in by_class:
                    args, _ = self.resource_args(by_class[where])
                    if args is not None:
                        self.fields(args)

    def _classes(self, chain: tuple[str, ...]) -> list[tuple[str, str]]:
        """The (module, class) a chain names: a class of the package, or of its submodule."""
        root = f"{SDK_PREFIX}{self.package.replace('-', '_')}"
        return [(root, chain[0])] + ([(f"{root}.{chain[0]}", chain[1])] if chain[1:] else [])

    def _has_args(self, token: str) -> bool:
        args = self._resources.get(token, [None])[0]
        return args is not None and args in self._types

    def fields(self, type_id: str) -> dict[str, Field]:
        """The properties of the input type `type_id`; none when the SDK cannot say (a forward
        reference it does not import)."""
        if type_id not in self._types:
            self._types[type_id] = {name: [f.is_map, f.nested]
                                    for name, f in _live_fields(type_id).items()}
            self._dirty = True
        return {name: Field(bool(kept[0]), kept[1]) for name, kept in self._types[type_id].items()}

    def save(self) -> None:
        """Keep what this run read from the SDK; the file is rewritten too when it is no longer
        what this run read (a program wrote it meanwhile), even if nothing new was read."""
        if self.path is None or (not self._dirty and _contents(self.path) == self._seen):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"tokens": self._tokens, "resources": self._resources, "types": self._types}
        with contextlib.suppress(OSError):  # a cache that cannot be written costs time only
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(document, out, separators=(",", ":"))
                os.replace(tmp, self.path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        self._dirty = False


_SCHEMAS: dict[str, ProviderSchema] = {}


def provider_schema(package: str) -> ProviderSchema:
    """The one schema of pulumi-<package> in this process (its file read on first use)."""
    if package not in _SCHEMAS:
        _SCHEMAS[package] = ProviderSchema(package, _schema_path(package))
    return _SCHEMAS[package]


def read_all(packages: abc.Iterable[str]) -> None:
    """Read the kept answers of these SDKs now (before a program is planned)."""
    for package in packages:
        provider_schema(package)


def save_all() -> None:
    for schema in _SCHEMAS.values():
        schema.save()


def _contents(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _schema_path(package: str) -> Path | None:
    """$TRUSTCTL_HOME/sdk-schema/<package>-<hash of the SDKs' RECORDs and this module>.json;
    None when an SDK has no RECORD (not installed, or not by a package installer)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for distribution in ("pulumi", f"{SDK_PREFIX}{package.replace('-', '_')}"):
        record = _record(distribution)
        if record is None:
            return None
        digest.update(record)
    return state_home() / SCHEMA_DIR / f"{package}-{digest.hexdigest()[:32]}.json"


def _record(distribution: str) -> bytes | None:
    """The RECORD of an installed package, found beside it without importing it."""
    with contextlib.suppress(ImportError, ValueError):
        spec = importlib.util.find_spec(distribution)
        if spec is not None and spec.submodule_search_locations:
            site = Path(next(iter(spec.submodule_search_locations))).parent
            for info in sorted(site.glob(f"{distribution}-*.dist-info")):
                with contextlib.suppress(OSError):
                    return (info / "RECORD").read_bytes()
    return None


def _live_resource_args(token: str) -> tuple[str | None, str]:
    from trustctl.plan.synthesis import resource_class  # the SDK: imported only on a miss

    resource = resource_class(token)
    if resource is None:
        return None, ""
    module = importlib.import_module(resource.__module__)
    candidates = (getattr(module, f"{resource.__name__}{s}", None) for s in ("InitArgs", "Args"))
    args = next((c for c in candidates if isinstance(c, type)), None)
    return (_type_id(args) if args is not None else None), resource.__name__


def _live_fields(type_id: str) -> dict[str, Field]:
    from pulumi import _types  # the SDK: imported only on a miss

    module, _, name = type_id.partition(":")
    input_type = getattr(importlib.import_module(module), name)
    try:
        hints = _types.input_type_types(input_type)
    except (TypeError, NameError, AttributeError):
        return {}
    fields = {}
    for prop, hint in hints.items():
        element, is_map = _element(hint)
        nested = _type_id(element) if isinstance(element, type) and _types.is_input_type(
            element) else None
        fields[prop] = Field(is_map, nested)
    return fields


def _type_id(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _element(hint: Any) -> tuple[Any, bool]:
    """The element type of a property (through Optional, Input, lists), and whether it is a
    map."""
    is_map = False
    for _ in range(6):
        origin = typing.get_origin(hint)
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if origin is typing.Union and args:
            hint = next((a for a in args if typing.get_origin(a) is not abc.Awaitable
                         and getattr(a, "__name__", "") != "Output"), args[0])
        elif origin in (list, abc.Sequence) and args:
            hint = args[0]
        elif origin in (dict, abc.Mapping) and len(args) == 2:
            is_map, hint = True, args[1]
        else:
            break
    return hint, is_map
