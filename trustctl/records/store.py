"""Where records live: a local directory or an S3 bucket with Object Lock. Append-only.

Every write goes through `RecordStore.write`, which seals the record: its place in its kind's
chain (the next sequence number and the hash of the last record of its kind), its provenance
(where it came from: trustctl/records/origin.py) and a signature by the writer's key. Reading
never stops at a bad record: `scan` returns the records that read, and one `Problem` per
record (or stored object) that did not, so a report can name each and count it as a gap.
Job outcomes (`job-outcome-*.json`, written unsigned by scripts/job-record) lie among the
records; a scan reads them apart (trustctl/records/outcome.py): never a Record, never a problem.
"""

from __future__ import annotations

import json
import platform
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from trustctl.environment import PRODUCTION, Environment
from trustctl.records.origin import provenance
from trustctl.records.outcome import JobOutcome, is_outcome
from trustctl.records.record import FactsUnread, Period, Record, RecordError
from trustctl.records.signing import Signer, sign, signer_from_environment

S3_SCHEME = "s3://"
Fetch = Callable[[], bytes]


class RecordExistsError(RecordError):
    """A record of that name is already stored: records are never rewritten."""


@dataclass(frozen=True)
class Problem:
    """A stored record that is not evidence (unreadable, altered, out of its chain, signed by
    no trusted key, overwritten or deleted in the bucket): always a finding."""

    where: str
    what: str
    # the record, when it could be read: the controls it speaks about are not proven
    record: Record | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class Scan:
    """What a store holds: the records that read, and what did not; apart, the job outcomes
    that read and those that did not (only a scan of all kinds lists them)."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[JobOutcome] = field(default_factory=list)
    outcome_problems: list[Problem] = field(default_factory=list)


class RecordStore(ABC):
    """Append-only storage of records (`open_store(location)` in trustctl/records/stores.py
    picks the kind from the location). `environment` is what the records written here say
    they came from (the provider's: production, or the sandbox and its profile)."""

    environment: Environment = PRODUCTION
    _signer: Signer | None = None
    # records already read by this store, by where: a record is never rewritten, so each
    # write reads only the records that are new since the last one
    _read: dict[str, Record] | None = None

    @property
    def chain(self) -> str:
        """Which history a record written here continues (see writer_chain)."""
        return writer_chain(str(self))

    @abstractmethod
    def check_writable(self) -> None:
        """Refuse, before hours of work, a store the record could not be written to."""

    @abstractmethod
    def _put(self, record: Record) -> str:
        """Store the sealed `record`, refusing (RecordExistsError) to overwrite; where it went."""

    @abstractmethod
    def _stored(self, kind: str | None) -> tuple[list[tuple[str, Fetch]], list[Problem]]:
        """(where, how to fetch its bytes) of every stored record of `kind` (all kinds for
        None), and the problems met listing them. Fetching may raise OSError (unreadable)."""

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Held while the chain's last record is read and the next one written."""
        yield

    def write(self, record: Record) -> str:
        """Seal `record` (chain, provenance, signature) and store it; returns where it went."""
        if self._signer is None:
            self._signer = signer_from_environment()
        chain = self.chain
        with self._exclusive():
            last = max((r for r in self.scan(record.kind).records if r.chain == chain),
                       key=lambda r: r.sequence, default=None)
            sealed = replace(
                record, chain=chain, sequence=last.sequence + 1 if last else 1,
                previous=last.sha256 if last else None,
                provenance={**record.provenance, **provenance(self.environment, str(self))})
            sealed = replace(sealed, signature=sign(self._signer,
                                                    sealed.signed_message).to_json())
            return self._put(sealed)

    def scan(self, kind: str | None = None) -> Scan:
        """Every record of `kind` that reads and matches its hash, and a problem for each other."""
        stored, problems = self._stored(kind)
        found = Scan(problems=[p for p in problems if not is_outcome(p.where)],
                     outcome_problems=[p for p in problems if is_outcome(p.where)])
        if self._read is None:
            self._read = {}
        for where, fetch in stored:
            if is_outcome(where):
                _read_outcome(found, where, fetch)
                continue
            record = self._read.get(where)
            try:
                if record is None:
                    record = Record.from_json(_json(fetch(), where), where)
            except OSError as exc:
                found.problems.append(Problem(where, f"cannot be read ({exc.strerror})"))
                continue
            except FactsUnread as exc:  # not evidence, but its place in its chain still counts
                found.problems.append(replace(_problem(str(exc), where), record=exc.record))
                continue
            except RecordError as exc:
                found.problems.append(_problem(str(exc), where))
                continue
            self._read[where] = record
            if kind is None or record.kind == kind:
                found.records.append(record)
        found.records.sort(key=lambda r: (r.started_at, r.id))
        return found

    def read(self, kind: str | None = None, period: Period | None = None) -> list[Record]:
        """Records of `kind` started within `period`, oldest first; refuses (RecordError,
        naming it) a store holding any record that does not read (job outcomes aside)."""
        found = self.scan(kind)
        if found.problems:
            raise RecordError(str(found.problems[0]))
        return [r for r in found.records if period is None or r.started_at in period]


def _read_outcome(found: Scan, where: str, fetch: Fetch) -> None:
    try:
        found.outcomes.append(JobOutcome.from_bytes(fetch(), where))
    except OSError as exc:
        found.outcome_problems.append(Problem(where, f"cannot be read ({exc.strerror})"))
    except RecordError as exc:
        found.outcome_problems.append(_problem(str(exc), where))


def encode(record: Record) -> bytes:
    """The stored form: pretty JSON for people; the hash is over the canonical form."""
    return (json.dumps(record.to_json(), indent=2, sort_keys=True) + "\n").encode()


def _json(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise RecordError(f"{where}: not JSON (altered or truncated record)") from None


def _problem(message: str, where: str) -> Problem:
    prefix = f"{where}: "
    return Problem(where, message.removeprefix(prefix))


def writer_chain(place: str) -> str:
    """The history a record written at `place` continues: that place's on this host. A CI
    runner's directory is new each run, so its records start a chain of that run (delivered
    to the bucket, whose Object Lock and version listing guard them from then on)."""
    from trustctl.records.ci import github_run

    run = github_run()
    if run and "run_id" in run:
        return (f"github:{run.get('repository', '?')}/runs/{run['run_id']}/"
                f"{run.get('run_attempt', '1')}:{place}")
    return f"{platform.node()}:{place}"
