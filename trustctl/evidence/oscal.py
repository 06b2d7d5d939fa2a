"""The evidence report as an OSCAL assessment-results document, for GRC tools to ingest.

Built and validated with compliance-trestle's pydantic models of OSCAL (Apache-2.0): a
document that does not validate raises while it is being built, never reaches disk. Each
control is one finding (satisfied only when verified or excepted; an attested control is
`satisfied` with reason `other` and says so, never `pass`), backed by one observation whose
relevant evidence links to the records in `records/`, listed with their SHA-256 in the
back matter.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from trestle.oscal import OSCAL_VERSION, common
from trestle.oscal import assessment_results as ar

NAMESPACE = "https://claver.app/ns/trustctl"
# Status over the period -> (objective state, reason, observation method)
STATE = {"verified": ("satisfied", "pass", "TEST"), "excepted": ("satisfied", "other", "TEST"),
         "attested": ("satisfied", "other", "INTERVIEW"),
         "failed": ("not-satisfied", "fail", "TEST"),
         "not_checked": ("not-satisfied", "other", "EXAMINE")}
_IDS = uuid.UUID("6f1f3c1e-4d55-4c1a-9d59-0c8c1e0f5a11")


def to_oscal(report: dict[str, Any]) -> ar.AssessmentResults:
    """Deterministic uuids (uuid5 of the report's content) so a rebuild yields the same ids."""
    generated = dt.datetime.fromisoformat(report["generated_at"])
    period = report["period"]
    records = {r["name"]: r for r in report["records"]}
    resources = {name: _id(f"record:{name}:{r['sha256']}") for name, r in records.items()}
    plan = _id(f"plan:{report['catalog_version']}")
    observations, findings = [], []
    for control in report["controls"]:
        observation = _observation(control, generated, resources)
        observations.append(observation)
        findings.append(_finding(control, observation.uuid))
    result = ar.Result(
        uuid=_id(f"result:{period['from']}:{period['to']}:{report['generated_at']}"),
        title=f"Security page controls, {period['from']} to {period['to']}",
        description="Status of every control of Claver's security page over the observation "
                    "period, from trustctl records (gate, live audit, backup, drill, access "
                    "review) and attestations.",
        start=_day(period["from"]), end=_day(period["to"]) + dt.timedelta(days=1, seconds=-1),
        reviewed_controls=common.ReviewedControls(control_selections=[common.ControlSelections(
            include_controls=[common.SelectControlById(control_id=c["id"])
                              for c in report["controls"]])]),
        observations=observations or None, findings=findings or None,
        remarks=f"{report['summary']['gaps']} gap(s) in the period.",
    )
    back_matter = common.BackMatter(resources=[
        common.Resource(uuid=plan, title="trustctl control catalog (policies/controls.yaml)",
                        remarks=f"catalog version {report['catalog_version']}"),
        *(common.Resource(
            uuid=resources[name], title=name, description=f"{r['kind']} record",
            rlinks=[common.Rlink(href=f"records/{name}", media_type="application/json",
                                 hashes=[common.Hash(algorithm="SHA-256", value=r["sha256"])])])
          for name, r in records.items())])
    return ar.AssessmentResults(
        uuid=_id(f"ar:{report['generated_at']}:{period['from']}:{period['to']}"),
        metadata=common.Metadata(
            title=f"Claver SOC 2 Type II evidence, {period['from']} to {period['to']}",
            last_modified=generated, version=report["code_version"],
            oscal_version=OSCAL_VERSION),
        import_ap=ar.ImportAp(href=f"#{plan}", remarks="No OSCAL assessment plan is published: "
                              "the plan is the control catalog named in the back matter."),
        results=[result], back_matter=back_matter)


def _observation(control: dict[str, Any], generated: dt.datetime,
                 resources: dict[str, str]) -> common.Observation:
    _, _, method = STATE[control["status"]]
    evidence = [common.RelevantEvidence(
        href=f"#{resources[e['record']]}",
        description=f"{e['kind']} record of {e['time']}: {e['status']} (sha256 {e['sha256']})")
        for e in control["evidence"]]
    evidence += [common.RelevantEvidence(
        description=f"attestation {a['file']} by {a['attested_by']} on {a['attested_on']}, "
                    f"valid until {a['valid_until']}: {a['evidence']}")
        for a in control["attestations"]]
    return common.Observation(
        uuid=_id(f"observation:{control['id']}:{generated.isoformat()}"),
        title=f"{control['id']}: {control['status']}",
        description="; ".join(control["how_verified"]) or (
            "attested by a person, not checked by a machine" if control["attestations"]
            else "nothing in the period checked this control"),
        methods=[method], collected=generated, relevant_evidence=evidence or None)


def _finding(control: dict[str, Any], observation: str) -> common.Finding:
    state, reason, _ = STATE[control["status"]]
    problems = [f["message"] for f in control["findings"]]
    return common.Finding(
        uuid=_id(f"finding:{control['id']}:{observation}"),
        title=f"{control['id']}: {control['title']}",
        description=control["promise"],
        props=[common.Property(name="status", ns=NAMESPACE, value=control["status"]),
               *(common.Property(name="soc2-criterion", ns=NAMESPACE, value=criterion)
                 for criterion in control["soc2"])],
        target=common.FindingTarget(
            type="objective-id", target_id=control["id"],
            status=common.ObjectiveStatus(state=state, reason=reason,
                                          remarks=control["status"].replace("_", " "))),
        related_observations=[common.RelatedObservation(observation_uuid=observation)],
        remarks="\n".join(problems) or None)


def _id(text: str) -> str:
    return str(uuid.uuid5(_IDS, text))


def _day(iso: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(iso), dt.time(), dt.UTC)
