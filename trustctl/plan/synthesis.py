"""Values shaped the way a provider SDK says an output is shaped.

A mock runtime answers every resource and data source with invented values. Programs index
into them (`cert.domain_validation_options[0].resource_record_name`, `cluster.
certificate_authority.data`), so an answer must have the SDK's shape: objects with their
properties, lists with one element, numbers, booleans. The SDK's own output types say the shape:
resources through `pulumi._types.resource_types`, data sources through their `Get...Result`
output types.
"""

from __future__ import annotations

import collections.abc as abc
import enum
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from pulumi import _types

from trustctl.plan.lazy_provider import import_sdk

MAX_DEPTH = 6  # some output types nest recursively (WAF statements); a program reads far less

# Invents a string for the property at a dotted path, e.g. "domainValidationOptions.0.x".
StringLeaf = Callable[[str], str]


def sdk_module(package: str, module: str) -> Any | None:
    """pulumi_<package>.<module> (`index` is the package itself; `lambda` is `lambda_`)."""
    try:
        mod = import_sdk(package)
    except ImportError:
        return None
    if module == "index":
        return mod
    return getattr(mod, module, None) or getattr(mod, f"{module}_", None)


def _split(token: str) -> tuple[str, str, str] | None:
    parts = token.split(":")
    if len(parts) != 3:
        return None
    package, module, member = parts
    return package, module.split("/")[0], member


@cache
def resource_class(token: str) -> type | None:
    """The SDK class for `pkg:mod/res:Res`, e.g. pulumi_aws.kms.Key; None if not importable."""
    parts = _split(token)
    mod = sdk_module(parts[0], parts[1]) if parts else None
    cls = getattr(mod, parts[2], None) if parts and mod is not None else None
    return cls if isinstance(cls, type) else None


@cache
def result_class(token: str) -> type | None:
    """The output type a data source returns: `aws:ec2/getAmi:getAmi` -> ec2.GetAmiResult."""
    parts = _split(token)
    mod = sdk_module(parts[0], parts[1]) if parts else None
    if not parts or mod is None or not parts[2]:
        return None
    name = parts[2][0].upper() + parts[2][1:] + "Result"
    cls = getattr(mod, name, None)
    return cls if isinstance(cls, type) and _types.is_output_type(cls) else None


def _types_of(cls: type | None, read: Callable[[type], dict[str, Any]]) -> dict[str, Any]:
    """The SDK's type hints, or nothing when they cannot be resolved (a forward reference the
    SDK does not import): the answer then holds the inputs only, as Pulumi's own mocks do."""
    if cls is None:
        return {}
    try:
        return read(cls)
    except (TypeError, NameError, AttributeError, AssertionError):
        return {}


@cache
def resource_output_types(token: str) -> dict[str, Any]:
    return _types_of(resource_class(token), _types.resource_types)


@cache
def result_types(token: str) -> dict[str, Any]:
    return _types_of(result_class(token), _types.output_type_types)


def shaped(typ: Any, leaf: StringLeaf, path: str, depth: int = 0) -> Any:
    """A value of type `typ`: strings from `leaf`, 1 for numbers, False for booleans, one
    element per list, every property of an object; None past MAX_DEPTH."""
    if depth > MAX_DEPTH:
        return None
    typ = _types.unwrap_type(typ)
    origin = typing.get_origin(typ)
    if origin is typing.Union:
        members = [a for a in typing.get_args(typ) if a is not type(None)]
        return shaped(members[0], leaf, path, depth) if members else None
    if origin in (list, abc.Sequence, tuple):
        (item, *_) = typing.get_args(typ) or (Any,)
        return [shaped(item, leaf, f"{path}.0", depth + 1)]
    if origin in (dict, abc.Mapping):
        return {}
    if typ is bool:
        return False
    if typ in (int, float):
        return typ(1)  # never zero: programs divide by counts and sizes
    if isinstance(typ, type) and issubclass(typ, enum.Enum):
        return next(iter(typ)).value  # the SDK accepts only a member (aws.autoscaling.Metric)
    if isinstance(typ, type) and _types.is_output_type(typ):
        return {name: shaped(t, leaf, f"{path}.{name}", depth + 1)
                for name, t in _types.output_type_types(typ).items()}
    return leaf(path)


def as_declared(value: Any, typ: Any) -> Any:
    """An argument echoed into a result field of type `typ`: the provider accepts "true" or "3"
    for a boolean or number argument and answers with the typed value; the SDK checks it."""
    typ = _types.unwrap_type(typ) if typ is not None else None
    if typing.get_origin(typ) is typing.Union:
        members = [a for a in typing.get_args(typ) if a is not type(None)]
        typ = members[0] if len(members) == 1 else None
    if not isinstance(value, str):
        return value
    if typ is bool and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if typ in (int, float):
        try:
            return typ(value)
        except ValueError:
            return value
    return value


def shaped_properties(types: dict[str, Any], leaf: StringLeaf) -> dict[str, Any]:
    """Every property of a resource or data source result, shaped by its type."""
    return {name: shaped(typ, leaf, name) for name, typ in types.items()}
