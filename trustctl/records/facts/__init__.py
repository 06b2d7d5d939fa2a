"""Every record kind's typed facts, by kind and schema version; reading refuses the unknown.

A record names its facts' schema (`facts_schema`, covered by its hash and signature). A record
written before schemas were named (format trustctl-record/2 without `facts_schema`) holds its
kind's first schema. A kind or schema this trustctl does not know is one line (RecordError):
not evidence, so an evidence report over it fails (a failed drill cannot hide behind a
version nobody reads).
"""

from __future__ import annotations

from typing import Any

from trustctl.records.facts.access_review import AccessReviewFacts
from trustctl.records.facts.audit import AuditFacts
from trustctl.records.facts.backup import BackupFacts, BackupFactsV1
from trustctl.records.facts.drill import DrillFacts
from trustctl.records.facts.gate import GateFacts
from trustctl.records.facts.shape import Facts, FactsError, Moment, Shape

__all__ = ["AccessReviewFacts", "AuditFacts", "BackupFacts", "DrillFacts", "Facts",
           "FactsError", "GateFacts", "Moment", "Shape", "first_schema", "parse_facts"]

MODELS: dict[str, dict[str, type[Facts]]] = {}
for _model in (AccessReviewFacts, AuditFacts, BackupFactsV1, BackupFacts, DrillFacts,
               GateFacts):
    MODELS.setdefault(_model.KIND, {})[_model.SCHEMA] = _model


def first_schema(kind: str) -> str:
    """The schema of a record written before records named one."""
    return f"{kind}/1"


def parse_facts(kind: str, schema: str, facts: Any) -> Facts:
    """The typed facts of a record of `kind` whose facts are of `schema`; FactsError (one line,
    naming kind and schema) for an unknown kind, an unknown schema or a field of another type."""
    schemas = MODELS.get(kind)
    if schemas is None:
        raise FactsError(f"record kind {kind!r} (facts schema {schema!r}) is not one this "
                         f"trustctl reads ({', '.join(sorted(MODELS))}): not evidence")
    model = schemas.get(schema)
    if model is None:
        raise FactsError(f"{kind} record of facts schema {schema!r}, which this trustctl "
                         f"does not read (it reads {', '.join(sorted(schemas))}): not evidence")
    return model.from_json(facts)
