"""One record: what a flow looked at and found, sealed by the SHA-256 of its canonical form.

The hash covers the record's place in its chain (`chain`: which store's history, see
RecordStore.chain; `sequence`; and `previous`: the SHA-256 of the record of the same kind
before it in that chain) and its `provenance` (where it came from,
written by the store); `signature` signs the hash (trustctl/records/signing.py). A record of
another format is refused with one line: nothing reads a record it does not know the shape of.

Its `facts` are typed, one model per kind (trustctl/records/facts/), and `facts_schema` names
the model's version (`drill/1`); the hash covers it. A record written before records named
their schema has no `facts_schema` (its hash, over the same body as then, still verifies) and
holds its kind's first schema. An unknown kind or schema, or a fact of another type, is refused
with one line naming the record, its kind and its schema.

The canonical encoding is RFC 8785 (JSON Canonicalization Scheme, the `rfc8785` library):
sorted keys, no whitespace, ECMAScript number formatting, so the hash of a record does not
depend on how it was pretty-printed or which JSON library re-serialized it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, TypeVar

import rfc8785

from trustctl.errors import InputError
from trustctl.records.facts import Facts, FactsError, first_schema, parse_facts
from trustctl.records.provenance import catalog_version, code_version
from trustctl.redaction import redact

FORMAT = "trustctl-record/2"
SIGNED = "trustctl-record/2 sha256:"  # what a signature signs: this prefix, then the hash
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


F = TypeVar("F", bound=Facts)


class RecordError(InputError):
    """A record that is malformed or whose content no longer matches its hash."""


class FactsUnread(RecordError):
    """A whole record (its hash matches) whose facts this trustctl cannot read: an unknown kind
    or schema, or a fact of another type. `record` still says which controls it speaks about."""

    def __init__(self, message: str, record: Record) -> None:
        super().__init__(message)
        self.record = record


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both ends included."""

    start: date
    end: date

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment.astimezone(UTC).date() <= self.end


@dataclass(frozen=True)
class Record:
    kind: str
    id: str
    started: str
    finished: str
    code_version: str
    catalog_version: str
    stored_facts: dict[str, Any]  # the facts as hashed (and stored); read them as `facts`
    facts_schema: str | None  # None: written before records named it (the kind's first)
    targets: dict[str, Any] = field(default_factory=dict)
    controls: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    chain: str = ""
    sequence: int = 0
    previous: str | None = None
    signature: dict[str, str] | None = None
    format: str = FORMAT

    @classmethod
    def new(cls, facts: Facts, started: datetime, finished: datetime, *,
            targets: dict[str, Any], controls: list[dict[str, Any]],
            record_id: str | None = None, provenance: dict[str, Any] | None = None) -> Record:
        """A record of `facts` (its kind is theirs) by this code and catalog; every secret in
        it redacted (trustctl.redaction)."""
        kind = facts.KIND
        if started.tzinfo is None or finished.tzinfo is None:
            raise RecordError(f"{kind} record: started/finished has no time zone")
        record = cls(
            kind=kind, stored_facts=_redacted(facts.to_json()), facts_schema=facts.SCHEMA,
            id=record_id or f"{started.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}",
            started=started.astimezone(UTC).isoformat(),
            finished=finished.astimezone(UTC).isoformat(),
            code_version=code_version(), catalog_version=catalog_version(),
            targets=_redacted(targets), controls=_redacted(controls),
            provenance=_redacted(provenance or {}),
        )
        record.check()
        record.read_facts(f"new {kind} record")
        return record

    @property
    def started_at(self) -> datetime:
        return datetime.fromisoformat(self.started)

    @property
    def finished_at(self) -> datetime:
        return datetime.fromisoformat(self.finished)

    @property
    def name(self) -> str:
        """The file (or object) name: `<kind>-<id>.json`."""
        return f"{self.kind}-{self.id}.json"

    @cached_property
    def facts(self) -> Facts:
        """The typed facts (RecordError when they do not read: see `read_facts`)."""
        return self.read_facts(self.name)

    def facts_as(self, model: type[F]) -> F:
        """The facts, as the model of the kind the reader expects (RecordError otherwise)."""
        facts = self.facts
        if not isinstance(facts, model):
            raise RecordError(f"{self.name}: a {self.kind} record, not {model.KIND}")
        return facts

    def read_facts(self, where: str) -> Facts:
        """The typed facts, of the model of this record's kind and schema; RecordError naming
        `where`, the kind and the schema when there is none or they do not have its shape."""
        schema = self.facts_schema or first_schema(self.kind)
        try:
            facts = parse_facts(self.kind, schema, self.stored_facts)
        except FactsError as exc:
            raise FactsUnread(f"{where}: {exc}", self) from None
        self.__dict__["facts"] = facts  # cached: a frozen record's facts never change
        return facts

    def body(self) -> dict[str, Any]:
        """Everything the hash covers (`facts_schema` only when named: see the docstring)."""
        return {"format": self.format, "kind": self.kind, "id": self.id,
                "started": self.started, "finished": self.finished,
                "code_version": self.code_version, "catalog_version": self.catalog_version,
                "targets": self.targets, "controls": self.controls, "facts": self.stored_facts,
                **({} if self.facts_schema is None else {"facts_schema": self.facts_schema}),
                "provenance": self.provenance, "chain": self.chain, "sequence": self.sequence,
                "previous": self.previous}

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(rfc8785.dumps(self.body())).hexdigest()

    @property
    def signed_message(self) -> bytes:
        return f"{SIGNED}{self.sha256}".encode()

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "sha256": self.sha256, "signature": self.signature}

    def status_of(self, control_id: str) -> str | None:
        """This record's status for one control, or None when it says nothing about it."""
        return next((c["status"] for c in self.controls if c.get("id") == control_id), None)

    def check(self) -> None:
        if not _KIND.match(self.kind):
            raise RecordError(f"record kind {self.kind!r} is not valid (lowercase, dashes)")
        if not _ID.match(self.id):
            raise RecordError(f"record id {self.id!r} is not valid")
        for name in ("started", "finished"):
            try:
                moment = datetime.fromisoformat(getattr(self, name))
            except ValueError:
                raise RecordError(f"record {self.id}: {name} is not an ISO 8601 time") from None
            if moment.tzinfo is None:
                raise RecordError(f"record {self.id}: {name} has no time zone")
        if any(not isinstance(c, dict) or "id" not in c or "status" not in c
               for c in self.controls):
            raise RecordError(f"record {self.id}: every control needs an id and a status")

    @classmethod
    def from_json(cls, data: Any, where: str) -> Record:
        """Parse and check a stored record; `where` names it in errors (file or s3:// URL)."""
        if not isinstance(data, dict):
            raise RecordError(f"{where}: not a {FORMAT} record")
        if data.get("format") != FORMAT:
            raise RecordError(f"{where}: record format {data.get('format')!r} is not "
                              f"{FORMAT}, the one this trustctl reads")
        try:
            record = cls(stored_facts=data["facts"], facts_schema=data.get("facts_schema"),
                         **{k: data[k] for k in (
                             "kind", "id", "started", "finished", "code_version",
                             "catalog_version", "targets", "controls", "provenance", "chain",
                             "sequence", "previous", "signature", "format")})
        except (KeyError, TypeError) as exc:
            raise RecordError(f"{where}: record lacks field {exc}") from None
        record.check()
        if not isinstance(record.sequence, int) or isinstance(record.sequence, bool) or (
                record.sequence < 1) or not isinstance(record.provenance, dict) or (
                not isinstance(record.chain, str)):
            raise RecordError(f"{where}: chain, sequence or provenance malformed")
        if record.facts_schema is not None and not isinstance(record.facts_schema, str):
            raise RecordError(f"{where}: facts_schema malformed")
        if data.get("sha256") != record.sha256:
            raise RecordError(f"{where}: content does not match its sha256 (altered record)")
        record.read_facts(where)
        return record


def _redacted(value: Any) -> Any:
    """Hide secrets in every string: records are evidence, shown to auditors."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value
