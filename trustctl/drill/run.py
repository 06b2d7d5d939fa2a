"""The restore drill, one pass: pick, authenticate, check age and key, restore into scratch,
verify, tear down.

Nothing of the manifest is believed before it is authenticated (archive/authenticity.py): it
must be the one its backup wrote for the id it was found at, unchanged; the backup's age is then
taken from its authenticated times. The scratch server must not hold production
(drill/guard.py), and the manifest's roles are recreated without handing out power
(pg/roles.py). The backup is verified and decrypted while it streams into pg_restore (the AEAD
stream releases only authenticated bytes; size and SHA-256 are compared with the manifest at the
end), so the restore costs one read of the object. The scratch environment is torn down in a
`finally`, whatever happened (a failed check, a dead scratch server, Ctrl-C), and a record is
returned even then: an interrupted drill is recorded as `interrupted` with the steps it got
through.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trustctl import redaction, signals
from trustctl.archive.authenticity import Authentic, authenticate
from trustctl.archive.inventory import TableStats
from trustctl.archive.keys import KeySource, ManifestKey, key_problem
from trustctl.archive.manifest import Manifest
from trustctl.archive.reader import ReadProgress, read_dump
from trustctl.archive.recovery import RecoverySite
from trustctl.archive.store import BackupStore
from trustctl.catalog import page_figures
from trustctl.drill import leftovers
from trustctl.drill.export import export_tenant
from trustctl.drill.guard import refuse_production
from trustctl.drill.record import (
    DrillResult,
    Step,
    StepError,
    StepFailed,
    Steps,
    control_results,
)
from trustctl.drill.restore import restore_archive
from trustctl.drill.scratch import LocalScratch, LocalScratchStart, RemoteScratch, Scratch
from trustctl.drill.tables import compare_tables
from trustctl.dsn import Dsn
from trustctl.errors import FindingError
from trustctl.pg.connect import connect
from trustctl.pg.isolation import Probe
from trustctl.pg.judgment import Assessment, assess, reads
from trustctl.pg.roles import RoleAllowlist
from trustctl.pg.tenancy import Tenancy
from trustctl.pg.writes import cross_tenant_writes
from trustctl.progress import Progress
from trustctl.records.facts import DrillFacts
from trustctl.records.facts.drill import FORMAT, Objective, ObjectRead, RestoredBackup
from trustctl.report.results import ControlResult, Finding, Status, exit_code

CONTROLS = ("TENANT-ISOLATION", "BACKUP-DAILY-35D", "RESTORE-DRILL", "RPO-RTO", "DATA-EXPORT")
EXIT_INTERRUPTED = 130
AWS_STEPS = frozenset({"select-backup", "kms-key", "authenticate", "rpo", "retention",
                       "restore"})
THIS_HOST = "this host"  # steps served by the drill host alone (scratch, verification)
# verify-tables checksums on this many connections at once (one busy server backend each)
VERIFY_CONNECTIONS = max(1, min(4, os.cpu_count() or 1))
# Each step of a rehearsal, in order, and the controls its result counts for.
STEP_CONTROLS: dict[str, tuple[str, ...]] = {
    "select-backup": CONTROLS[1:],
    "kms-key": ("BACKUP-DAILY-35D", "RESTORE-DRILL"),
    "authenticate": ("BACKUP-DAILY-35D", "RESTORE-DRILL"),
    "rpo": ("RPO-RTO",),
    "retention": ("BACKUP-DAILY-35D",),
    "scratch": ("RESTORE-DRILL",),
    "roles": ("TENANT-ISOLATION",),
    "extensions": ("RESTORE-DRILL",),
    "restore": ("RESTORE-DRILL",),
    "verify-tables": ("RESTORE-DRILL",),
    "verify-rls": ("TENANT-ISOLATION",),
    "verify-isolation": ("TENANT-ISOLATION",),
    "verify-writes": ("TENANT-ISOLATION",),
    "export": ("DATA-EXPORT",),
    "rto": ("RPO-RTO",),
    "teardown": ("RESTORE-DRILL",),
}


@dataclass
class DrillOptions:
    """What to rehearse and against which objectives; defaults are the security page's."""

    backup_id: str | None = None
    scratch_dsn: Dsn | None = None
    scratch_parent: Path | None = None
    production_dsns: list[Dsn] = field(default_factory=list)
    tenancy: Tenancy = field(default_factory=Tenancy)
    rpo: timedelta = field(default_factory=lambda: page_figures().rpo)
    rto: timedelta = field(default_factory=lambda: page_figures().rto)
    jobs: int = 1
    skip_extensions: tuple[str, ...] = ()
    role_allowlist: RoleAllowlist = field(default_factory=RoleAllowlist.default)
    quiet: bool = False
    on_restore_started: Callable[[Scratch], None] | None = None


def classify(exc: BaseException) -> str | None:
    """Findings fail the drill (exit 1); anything that stopped a step from running is an error."""
    if isinstance(exc, FindingError):
        return "fail"
    if isinstance(exc, Exception):
        return "error"
    return None


class Drill:
    """One rehearsal; `run()` returns its result (facts and controls: drill/record.py).

    With a recovery `site` it rehearses a regional outage: `store` and `kms` are the recovery
    region's, the data key is unwrapped with the site's key (the backup key's replica), and the
    record names the region that served each step.
    """

    def __init__(self, store: BackupStore, kms: Any, options: DrillOptions,
                 site: RecoverySite | None = None) -> None:
        self.store = store
        self.kms = kms
        self.options = options
        self.site = site
        self.keys: KeySource = site.keys if site else ManifestKey()
        self.region = store.s3.meta.region_name
        self.steps = Steps(classify)
        self.backup_id: str | None = None  # where the manifest was found (not what it says)
        self.manifest: Manifest | None = None
        self.authentic: Authentic | None = None
        self.scratch: Scratch | None = None
        self.scratch_start: LocalScratchStart | None = None  # until the scratch step takes it
        self.read: ReadProgress | None = None
        self.progress = Progress("drill", quiet=options.quiet)
        self.started = datetime.now(UTC)
        self.clock = time.monotonic()
        self.verified_after: float | None = None
        self.interrupted = False
        self.assessment: Assessment | None = None  # the judgment's, made by verify-rls
        self.probe: Probe | None = None  # the tenants and counts verify-isolation probed
        self.tables: TablesVerified | None = None  # verified during the restore, if it was

    def run(self) -> DrillResult:
        """Every step, then the record; Ctrl-C ends the steps early but still yields a record."""
        try:
            self._run_steps()
        except KeyboardInterrupt:
            self.interrupted = True
        return self.record()

    def _run_steps(self) -> None:
        backup, authentic = ("select-backup",), ("authenticate",)

        def run(name: str, step: Callable[[Step], None], needs: tuple[str, ...] = ()) -> None:
            self.steps.run(name, STEP_CONTROLS[name], step, needs=needs)

        try:
            if self.options.scratch_dsn is None:  # a server of its own: started meanwhile
                with signals.shielded():  # a thread started is a start teardown knows of
                    parent = self.options.scratch_parent
                    self.scratch_start = LocalScratchStart(lambda: LocalScratch(parent))
                self.progress.say("starting a scratch PostgreSQL")
            run("select-backup", self._select)
            run("kms-key", self._key, needs=backup)
            run("authenticate", self._authenticate, needs=(*backup, "kms-key"))
            run("rpo", self._rpo, needs=authentic)
            run("retention", self._retention, needs=authentic)
            run("scratch", self._create_scratch, needs=authentic)
            run("roles", self._roles, needs=("scratch",))
            run("extensions", self._extensions, needs=("scratch",))
            run("restore", self._restore, needs=("extensions",))
            run("verify-tables", self._tables, needs=("restore",))
            run("verify-rls", self._rls, needs=("restore",))
            run("verify-isolation", self._isolation, needs=("restore",))
            run("verify-writes", self._writes, needs=("verify-isolation",))
            self.verified_after = time.monotonic() - self.clock
            run("export", self._export, needs=("verify-isolation",))
            run("rto", self._rto, needs=("restore",))
        finally:
            run("teardown", self._teardown)

    # -- steps ---------------------------------------------------------------------------------

    def _select(self, step: Step) -> None:
        wanted = self.options.backup_id
        self.progress.say("looking for " + (f"backup {wanted}" if wanted else "the latest backup"))
        if wanted:
            self.manifest = self.store.get_manifest(wanted)
            if self.manifest is None and not self.store.exists(wanted):
                raise StepError(f"no backup {wanted} in s3://{self.store.bucket}/"
                                f"{self.store.prefix}/ (see `trustctl backup list`)")
            if self.manifest is None:
                raise StepFailed(f"backup {wanted} has no manifest: it is incomplete or missing")
            self.backup_id = wanted
        else:
            self.backup_id, self.manifest = self._latest()
        step.detail = (f"backup {self.backup_id}, its manifest claims it finished "
                       f"{self.manifest.finished_at} (s3://{self.store.bucket}, {self.region})")

    def _latest(self) -> tuple[str, Manifest]:
        """The id whose readable manifest claims the latest finish (claims: authenticated next)."""
        entries = self.store.entries()
        complete = [(e.backup_id, e.manifest) for e in entries if e.manifest is not None]
        if complete:
            return max(complete, key=lambda entry: entry[1].finished)
        refused = [e.manifest_error for e in entries if e.manifest_error]
        raise StepFailed(f"no complete backup in s3://{self.store.bucket}/{self.store.prefix}/ "
                         f"({self.region})" + (f"; {len(refused)} manifest(s) refused, the newest:"
                                               f" {refused[-1]}" if refused else ""))

    def _authenticate(self, step: Step) -> None:
        self.authentic = authenticate(self.store, self.kms, self.backup_id, self.manifest,
                                      self.keys)
        step.detail = self.authentic.summary()

    def _rpo(self, step: Step) -> None:
        age = self.started - self.manifest.finished
        step.detail = f"age {_hours(age)} h, objective {_hours(self.options.rpo)} h"
        if self.site is not None:  # replicas keep the source's Last-Modified: lag shows as age
            step.detail += (f"; the newest backup copied to {self.region} (one still "
                            "replicating does not count: the replication lag is in this age)")
        if age > self.options.rpo:
            step.findings.append(f"latest backup is {_hours(age)} h old: RPO of "
                                 f"{_hours(self.options.rpo)} h exceeded")

    def _key(self, step: Step) -> None:
        key_id = self.keys.key_id(self.manifest)
        problem = key_problem(self.kms, key_id)
        if problem:
            step.findings.append(problem)
        step.detail = f"{key_id}: " + ("unusable" if problem else "enabled")
        if key_id != self.manifest.kms_key_id:
            step.detail += f" (in place of {self.manifest.kms_key_id}, in the region gone)"

    def _retention(self, step: Step) -> None:
        kept = self.store.retention(self.manifest)
        if kept.problem:
            step.findings.append(kept.problem)
        step.detail = f"locked until {kept.until}" if kept.until else "no Object Lock"

    def _create_scratch(self, step: Step) -> None:
        if self.options.scratch_dsn:
            if gone := leftovers.reap():
                self._removed(gone)
            recorded = Dsn.parse(self.manifest.source, f"backup {self.backup_id}'s source")
            told_apart = refuse_production(self.options.scratch_dsn,
                                           [*self.options.production_dsns, recorded],
                                           self.manifest.source_identity)
            self.scratch = RemoteScratch(self.options.scratch_dsn, self.options.scratch_parent)
            step.detail = (f"{self.scratch.kind}: {self.scratch.dsn}, a new empty database; "
                           f"{told_apart}")
        else:
            self.scratch, gone = self.scratch_start.take()
            self.scratch_start = None
            if gone:
                self._removed(gone)
            step.detail = (f"{self.scratch.kind}: {self.scratch.dsn}, a server this drill "
                           "started (while the backup was selected and checked)")

    def _removed(self, gone: list[leftovers.Leftover]) -> None:
        self.progress.say(f"removed {len(gone)} scratch server(s) left by killed drills "
                          f"(stopped, data deleted): " + ", ".join(
                              f"{g.root} (drill pid {g.pid})" for g in gone))

    def _roles(self, step: Step) -> None:
        identity = self.manifest.source_identity
        # the role that took the backup needed one of these to dump every row
        backup_role = ([(identity.role, power) for power in ("superuser", "bypassrls")]
                       if identity else [])
        done = self.scratch.prepare_roles(self.manifest.roles,
                                          self.options.role_allowlist.extended(backup_role))
        step.findings += done.findings()
        step.detail = done.summary()
        step.facts = done.facts()

    def _extensions(self, step: Step) -> None:
        """Before hours of restore: can the scratch server create every extension it needs?"""
        needed = {e.name: e for e in self.manifest.extensions}
        skipped = sorted(set(self.options.skip_extensions) & needed.keys())
        with connect(self.scratch.dsn) as conn:
            available = {n for (n,) in conn.execute("SELECT name FROM pg_available_extensions")}
        missing = sorted(needed.keys() - available - set(skipped))
        step.facts = {"needed": sorted(needed), "skipped": skipped}
        if missing:
            raise StepError(
                f"the backup needs extension(s) {', '.join(missing)} that the scratch server "
                "lacks: restore into a scratch server built from the production image (e.g. "
                "Supabase's Postgres image) with --scratch-dsn, or pass --skip-extension NAME "
                "for each (recorded; what depends on them is not restored or verified)")
        step.detail = (f"{len(needed)} extension(s) needed, all available"
                       + (f"; skipped (not restored): {', '.join(skipped)}" if skipped else ""))

    def _restore(self, step: Step) -> None:
        self.read = ReadProgress(self.manifest.object_key)
        progress = Progress("drill restore", quiet=self.options.quiet,
                            total=self.manifest.dump_bytes)
        hook = self.options.on_restore_started

        def started() -> None:
            progress.say("restore started")
            if hook is not None:
                hook(self.scratch)

        def meanwhile() -> None:
            progress.say("verifying the tables while pg_restore builds indexes and constraints")
            self.tables = self._verified_tables()

        plaintext = progress.track(read_dump(self.store, self.kms, self.manifest, self.read,
                                             self.keys))
        with progress.running():  # pg_restore's indexes and constraints come after the bytes
            restored = restore_archive(plaintext, self.manifest.dump_format, self.scratch,
                                       self.options.jobs, started, self._skipped(), meanwhile)
        step.detail = (f"{self.read.object_bytes:,} bytes read (version {self.read.version_id}), "
                       f"SHA-256 and every chunk authentic, {self.read.dump_bytes:,} bytes "
                       f"restored ({self.manifest.dump_format}, {self.options.jobs} job(s)); "
                       + ("tables verified while the post-data (keys, indexes, policies) was "
                          "restored" if restored.overlapped else
                          f"tables verified after the restore: {restored.why_not}"))

    def _skipped(self) -> tuple[str, ...]:
        return tuple(self.steps.get("extensions").facts["skipped"])

    def _verified_tables(self) -> TablesVerified:
        """Counts and checksums of the restored tables; an error is kept for verify-tables
        (an interrupt is not: it ends the drill)."""
        started = time.monotonic()
        unverified = frozenset(t for e in self.manifest.extensions if e.name in self._skipped()
                               for t in e.tables)
        tables = [t for t in self.manifest.tables if t.name not in unverified]
        try:  # one table per transaction: a lock is held only while its table is read
            with contextlib.ExitStack() as opened:
                conns = [opened.enter_context(connect(self.scratch.dsn, autocommit=True))
                         for _ in range(max(1, min(VERIFY_CONNECTIONS, len(tables))))]
                findings = compare_tables(conns[0], self.manifest, unverified, conns[1:])
        except Exception as exc:
            return TablesVerified(tables, unverified, [], time.monotonic() - started, exc)
        return TablesVerified(tables, unverified, findings, time.monotonic() - started)

    def _tables(self, step: Step) -> None:
        checked = self.tables or self._verified_tables()
        if checked.error is not None:
            raise checked.error
        step.findings += checked.findings
        rows = sum(t.rows for t in checked.tables)
        verdict = "differ from" if step.findings else "equal"
        step.detail = (f"{len(checked.tables)} tables, {rows:,} rows: counts and checksums "
                       f"{verdict} the manifest's" + (
                           f"; not verified (extensions skipped): "
                           f"{', '.join(sorted(checked.unverified))}" if checked.unverified
                           else ""))
        step.facts = {"unverified": sorted(checked.unverified)} if checked.unverified else {}
        if self.tables is not None:
            step.detail += (f"; checked in {checked.seconds:.1f} s while the restore built "
                            "keys, indexes and policies")
            step.facts["seconds_during_restore"] = round(checked.seconds, 3)

    def _assessed(self, conn: Any) -> Assessment:
        if self.assessment is None:
            self.assessment = assess(conn, self.options.tenancy)
        return self.assessment

    def _rls(self, step: Step) -> None:
        with connect(self.scratch.dsn, autocommit=True) as conn:
            assessment = self._assessed(conn)
        posture = assessment.posture
        step.findings += posture.findings
        step.detail = posture.summary(assessment.tenancy)
        step.facts = assessment.facts()
        undecided = [posture.ownership.ambiguous[t] for t in posture.undecided]
        if undecided and not step.findings:
            raise StepError(undecided[0])

    def _isolation(self, step: Step) -> None:
        with connect(self.scratch.dsn, autocommit=True) as conn:
            assessment = self._assessed(conn)
            isolation = reads(conn, assessment)
        self.probe = isolation.probe
        step.findings += isolation.findings
        step.detail = isolation.summary()
        step.facts = {**isolation.facts(), "why": list(assessment.tenancy.why)}

    def _probed(self) -> Probe:
        """What verify-isolation probed (the steps that reuse it need it to have passed)."""
        assert self.probe is not None, "verify-isolation runs first"
        return self.probe

    def _writes(self, step: Step) -> None:
        with connect(self.scratch.dsn, autocommit=True) as conn:
            assessment = self._assessed(conn)
            writes = cross_tenant_writes(conn, self._probed(), assessment.tenancy.tenant_roles)
        step.findings += writes.findings
        step.detail = writes.summary()
        step.facts = {"matrix": writes.matrix}

    def _export(self, step: Step) -> None:
        with connect(self.scratch.dsn, autocommit=True) as conn:
            assessment = self._assessed(conn)
            tenancy = assessment.tenancy
            if not tenancy.tenant_roles:
                raise StepError("no tenant role to export as (declare app_roles)")
            probe = self._probed()
            recipe = probe.recipe
            export = export_tenant(conn, recipe, probe, tenancy.tenant_roles[0],
                                   self.scratch.workspace() / "export")
        step.findings += export.findings
        step.detail = export.summary()
        step.facts = {"tenant": export.tenant, "role": export.role, "recipe": recipe.name,
                      "files": export.files}

    def _rto(self, step: Step) -> None:
        measured = timedelta(seconds=self.verified_after)
        step.detail = f"{measured.total_seconds():.1f} s, objective {_hours(self.options.rto)} h"
        if measured > self.options.rto:
            step.findings.append(f"restore and verification took {_hours(measured)} h: RTO of "
                                 f"{_hours(self.options.rto)} h exceeded")

    def _teardown(self, step: Step) -> None:
        never_started = ("the scratch never finished starting: whatever its start had made "
                         "(server, directory) was stopped and removed then")
        if self.scratch is not None:
            self.progress.say("tearing the scratch environment down")
            with signals.shielded():
                self.scratch.destroy()
            step.detail = f"{self.scratch.kind} scratch removed"
        elif self.scratch_start is not None:  # never taken: interrupted, or a check failed
            step.detail = ("the scratch server started meanwhile was not used: stopped and "
                           "removed" if self.scratch_start.discard() else never_started)
        elif (started := self.steps.get("scratch")) and started.status in ("error", "fail"):
            step.detail = never_started
        else:
            step.detail = "nothing to remove"

    # -- record --------------------------------------------------------------------------------

    def record(self) -> DrillResult:
        controls = control_results(self.steps, CONTROLS)
        if self.interrupted:
            _unverified(controls, "the drill was interrupted")
        code = EXIT_INTERRUPTED if self.interrupted else exit_code(controls)
        manifest = self.manifest
        return DrillResult(DrillFacts(
            format=FORMAT,
            drill_id=f"{self.started.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}",
            started_at=self.started, finished_at=datetime.now(UTC),
            status={0: "pass", 1: "fail", EXIT_INTERRUPTED: "interrupted"}.get(code, "error"),
            exit_code=code,
            reason=_reason(self.steps.problems()),
            backup=None if manifest is None else RestoredBackup(
                backup_id=self.backup_id, authenticated=self.authentic is not None,
                finished_at=manifest.finished,
                source=manifest.source, bucket=self.store.bucket, region=self.region,
                object_key=manifest.object_key, object_version=manifest.object_version,
                object_sha256=manifest.object_sha256, kms_key_id=manifest.kms_key_id,
            ),
            object_read=None if self.read is None else ObjectRead(
                key=self.read.object_key, version_id=self.read.version_id,
                bytes=self.read.object_bytes, sha256=self.read.sha256 or None,
            ),
            scratch=self.scratch.describe() if self.scratch else None,
            rpo=self._objective(self.options.rpo, None if self.authentic is None
                                else (self.started - manifest.finished).total_seconds()),
            rto=self._objective(self.options.rto, self.verified_after
                                if self.steps.get("rto") and
                                self.steps.get("rto").status != "skipped" else None),
            region_outage=self._outage(),
            steps=[{**s.to_json(), "served_by": self._served_by(s)} for s in self.steps.items],
        ), controls)

    def _served_by(self, step: Step) -> str | None:
        """The AWS region a step read from (the drill host for the local ones); None if not run."""
        if step.status == "skipped":
            return None
        return self.region if step.name in AWS_STEPS else THIS_HOST

    def _outage(self) -> dict | None:
        if self.site is None:
            return None
        return {"primary_region": self.site.primary_region,
                "primary_bucket": self.site.primary_bucket,
                "primary_treated_as_gone": True,  # no endpoint of it reaches the drill
                "recovery_region": self.region, "replica_bucket": self.store.bucket,
                "notes": list(self.site.notes)}

    @staticmethod
    def _objective(objective: timedelta, measured: float | None) -> Objective:
        return Objective(
            objective_seconds=objective.total_seconds(),
            measured_seconds=None if measured is None else round(measured, 3),
            met=None if measured is None else measured <= objective.total_seconds())


@dataclass(frozen=True)
class TablesVerified:
    """What verify-tables found, whenever it ran (during the restore's post-data or after)."""

    tables: list[TableStats]
    unverified: frozenset[str]
    findings: list[str]
    seconds: float
    error: Exception | None = None


def run_drill(store: BackupStore, kms: Any, options: DrillOptions,
              site: RecoverySite | None = None) -> DrillResult:
    """Runs one drill and returns its result; exit code in result.facts.exit_code."""
    return Drill(store, kms, options, site).run()


def _unverified(controls: list[ControlResult], why: str) -> None:
    """A control that passed its steps so far is not proven by a drill that did not finish."""
    for control in controls:
        if control.status is Status.PASS:
            control.status = Status.ERROR
            control.findings.append(Finding(f"not verified: {why}", check_id="drill"))


def _reason(problems: list[Step]) -> str | None:
    """One line naming every step that failed or could not run, with its first finding."""
    if not problems:
        return None
    parts = [f"{s.name}: {(s.findings or [s.detail])[0]}" for s in problems]
    return redaction.redact(" ".join("; ".join(parts).split()))


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f}"

