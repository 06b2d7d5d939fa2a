"""`aws.iam.get_policy_document`, evaluated for real: it is pure computation, and its `.json` is
what the gate judges (a role's trust policy, a bucket policy), so it must be the real document.

Follows the Terraform data source `aws_iam_policy_document`: statements of the source documents
first, then the program's own (replacing a source statement with the same Sid), then the
override documents' (replacing by Sid, else appended); single values are written as a string,
several as a list; `json` is indented by two spaces, `minifiedJson` compact.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

TOKEN = "aws:iam/getPolicyDocument:getPolicyDocument"
DEFAULT_VERSION = "2012-10-17"


def _one_or_many(values: list[Any]) -> Any:
    unique = list(dict.fromkeys(values))
    return unique[0] if len(unique) == 1 else unique


def _principals(principals: list[dict[str, Any]]) -> Any:
    if any(p.get("type") == "*" for p in principals):
        return "*"
    out: dict[str, list[str]] = {}
    for principal in principals:
        out.setdefault(principal["type"], []).extend(principal.get("identifiers") or [])
    return {kind: _one_or_many(ids) for kind, ids in out.items()}


def _conditions(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, dict[str, Any]] = {}
    for condition in conditions:
        values = condition.get("values") or []
        out.setdefault(condition["test"], {})[condition["variable"]] = _one_or_many(values)
    return out


_LISTS = (("actions", "Action"), ("notActions", "NotAction"),
          ("resources", "Resource"), ("notResources", "NotResource"))


def _statement(args: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {}
    if args.get("sid"):
        statement["Sid"] = args["sid"]
    statement["Effect"] = args.get("effect") or "Allow"
    for key, name in _LISTS:
        if args.get(key):
            statement[name] = _one_or_many(args[key])
    if args.get("principals"):
        statement["Principal"] = _principals(args["principals"])
    if args.get("notPrincipals"):
        statement["NotPrincipal"] = _principals(args["notPrincipals"])
    if args.get("conditions"):
        statement["Condition"] = _conditions(args["conditions"])
    return statement


def _merged(statements: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`more` replaces statements with the same Sid and appends the rest."""
    out = list(statements)
    for statement in more:
        same = [i for i, s in enumerate(out) if statement.get("Sid") and s.get("Sid") ==
                statement["Sid"]]
        if same:
            out[same[0]] = statement
        else:
            out.append(statement)
    return out


def _documents(texts: list[str] | None) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for text in texts or []:
        doc = json.loads(text) if text else {}
        found = doc.get("Statement") or []
        statements += found if isinstance(found, list) else [found]
    return statements


def policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """The data source's result for its (camelCase) arguments."""
    statements = _documents(args.get("sourcePolicyDocuments"))
    statements = _merged(statements, [_statement(s) for s in args.get("statements") or []])
    statements = _merged(statements, _documents(args.get("overridePolicyDocuments")))
    doc: dict[str, Any] = {"Version": args.get("version") or DEFAULT_VERSION}
    if args.get("policyId"):
        doc["Id"] = args["policyId"]
    doc["Statement"] = statements
    text = json.dumps(doc, indent=2)
    return {**args, "id": hashlib.sha256(text.encode()).hexdigest()[:16], "json": text,
            "minifiedJson": json.dumps(doc, separators=(",", ":"))}
