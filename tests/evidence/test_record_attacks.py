"""Issue 20 items 4 and 5: whoever can write the records cannot make a failed drill read as
verified. Each attack on the quarter's records (local and in the bucket) is refused with
exit 1 and one line naming the record; the untouched quarter builds with none."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import rfc8785

from evidence.helpers import Built, build
from evidence.quarter import FAILING_DRILL, PASSING_DRILL, drill
from trustctl.aws import AwsTarget, client
from trustctl.records import open_store
from trustctl.records.signing import LocalSigner, sign

FAILED = f"drill-{FAILING_DRILL:%Y%m%d}T100000Z-d.json"
PASSED = f"drill-{PASSING_DRILL:%Y%m%d}T100000Z-d.json"


def _problems(built: Built) -> list[str]:
    return [line for line in built.stderr.splitlines() if " RECORD " in line]


def _as_passed(data: dict) -> dict:
    """The failing drill's record, rewritten to say it passed."""
    data["facts"]["status"] = "pass"
    for control in data["controls"]:
        control["status"], control["findings"] = "pass", []
    return data


def _reseal(data: dict) -> dict:
    """What an attacker can do without the key: recompute the record's hash."""
    body = {k: v for k, v in data.items() if k not in ("sha256", "signature")}
    data["sha256"] = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    return data


def test_the_untouched_quarter_has_no_record_problems(quarter: Built) -> None:
    assert _problems(quarter) == []
    assert quarter.report["summary"]["record_problems"] == 0
    assert quarter.control("RESTORE-DRILL")["status"] == "verified"


def test_an_edited_and_resealed_record_is_named(tmp_path: Path) -> None:
    path = tmp_path / "records" / FAILED

    def tamper() -> None:
        path.write_text(json.dumps(_reseal(_as_passed(json.loads(path.read_text())))))

    built = build(tmp_path, tamper=tamper)
    assert built.code == 1
    assert built.control("RESTORE-DRILL")["status"] == "failed"  # not proven
    assert (f"trustctl: evidence: RECORD {FAILED}: signature does not verify: the record "
            "was edited after it was signed") in _problems(built)
    assert FAILED not in {e["record"] for e in built.control("RESTORE-DRILL")["evidence"]}


def test_a_deleted_record_leaves_a_named_hole(tmp_path: Path) -> None:
    built = build(tmp_path, tamper=lambda: (tmp_path / "records" / FAILED).unlink())
    assert built.code == 1
    assert built.control("RESTORE-DRILL")["status"] == "failed"  # not proven
    assert _problems(built) == [f"trustctl: evidence: RECORD {PASSED}: drill record(s) 1 "
                                "before it are missing: deleted from the history"]


def test_a_record_signed_by_another_key_is_not_evidence(tmp_path: Path) -> None:
    forged = drill(PASSING_DRILL + timedelta(days=30), rto_hours=1)
    name = forged.name

    def tamper() -> None:
        mallory = LocalSigner(tmp_path / "mallory.pem")
        data = json.loads((tmp_path / "records" / PASSED).read_text())
        sealed = replace(forged, chain=data["chain"], sequence=3, previous=data["sha256"],
                         provenance={"environment": {"name": "production"}})
        data = {**sealed.to_json(), "signature": sign(mallory, sealed.signed_message).to_json()}
        (tmp_path / "records" / name).write_text(json.dumps(data))

    built = build(tmp_path, tamper=tamper)
    assert built.code == 1
    assert built.control("RESTORE-DRILL")["status"] == "failed"  # not proven
    [line] = _problems(built)
    assert line.startswith(f"trustctl: evidence: RECORD {name}: signed by a key that is not "
                           "trusted (sha256:")


def test_records_signed_by_the_builder_s_own_key_count_in_production_only_when_told(
        tmp_path: Path) -> None:
    """Whoever builds the report holds this machine's record key: in a production report its
    signatures count only with --trust-local-key (the sandbox's demo report trusts it)."""
    built = build(tmp_path, trust_local_key=False)
    assert built.code == 1
    assert built.control("RESTORE-DRILL")["status"] == "failed"  # not proven
    problems = _problems(built)
    assert problems and all(": signed by a key that is not trusted (sha256:" in line
                            for line in problems), problems
    trusted = build(tmp_path / "again", trust_local_key=True)
    assert _problems(trusted) == []


def test_an_unsigned_record_is_not_evidence(tmp_path: Path) -> None:
    path = tmp_path / "records" / PASSED

    def tamper() -> None:
        data = json.loads(path.read_text())
        data["signature"] = None
        path.write_text(json.dumps(data))

    built = build(tmp_path, tamper=tamper)
    assert built.code == 1
    assert built.control("RESTORE-DRILL")["status"] == "failed"  # not proven
    assert _problems(built) == [f"trustctl: evidence: RECORD {PASSED}: not signed: no proof "
                                "who wrote it"]


def test_a_genuine_record_moved_out_of_its_place_is_named(tmp_path: Path) -> None:
    """A real, validly signed record of another store's history leaves this one's hole."""
    other = open_store(tmp_path / "other")
    other.write(drill(FAILING_DRILL, rto_hours=1))  # same key and name, passing, sequence 1

    def tamper() -> None:
        (tmp_path / "records" / FAILED).unlink()
        (tmp_path / "records" / FAILED).write_bytes((tmp_path / "other" / FAILED).read_bytes())

    built = build(tmp_path, tamper=tamper)
    assert built.code == 1
    assert built.control("RESTORE-DRILL")["status"] == "failed"  # not proven
    assert _problems(built) == [f"trustctl: evidence: RECORD {PASSED}: drill record(s) 1 "
                                "before it are missing: deleted from the history"]


def test_an_unreadable_record_is_one_line_and_the_rest_still_counts(tmp_path: Path) -> None:
    path = tmp_path / "records" / FAILED
    built = build(tmp_path, tamper=lambda: path.write_bytes(b""))
    assert built.code == 1
    assert (f"trustctl: evidence: RECORD {path}: not JSON (altered or truncated record)"
            in _problems(built))
    assert built.report["summary"]["records"] == 117  # the others still read


def test_overwriting_a_record_in_the_bucket_is_tampering(tmp_path: Path, aws: AwsTarget,
                                                        bucket: str) -> None:
    s3 = client("s3", aws)
    key = f"records/{FAILED}"

    def tamper() -> None:  # a plain PutObject: the jobs' role may put objects
        body = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(_reseal(_as_passed(body))))

    built = build(tmp_path, bucket=f"s3://{bucket}/records", tamper=tamper)
    assert built.code == 1
    assert _problems(built) == [
        f"trustctl: evidence: RECORD s3://{bucket}/{key}: TAMPERING: 2 versions (overwritten "
        "after it was written); its first version is the one read"]
    drill_evidence = {e["record"]: e["status"]
                      for e in built.control("RESTORE-DRILL")["evidence"]}
    assert drill_evidence[FAILED] == "fail"  # the first version, not the attacker's


def test_deleting_a_record_in_the_bucket_is_tampering(tmp_path: Path, aws: AwsTarget,
                                                      bucket: str) -> None:
    key = f"records/{FAILED}"
    built = build(tmp_path, bucket=f"s3://{bucket}/records",
                  tamper=lambda: client("s3", aws).delete_object(Bucket=bucket, Key=key))
    assert built.code == 1
    assert _problems(built) == [
        f"trustctl: evidence: RECORD s3://{bucket}/{key}: TAMPERING: 1 delete marker(s) "
        "(deleted after it was written); its first version is the one read"]
    assert FAILED in {e["record"] for e in built.control("RESTORE-DRILL")["evidence"]}
