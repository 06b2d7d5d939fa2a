"""`trustctl evidence verify`: every hash and the signature; one flipped byte names its file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evidence.helpers import Built, build
from trustctl.aws import AwsTarget, client
from trustctl.cli import app
from trustctl.evidence.intoto import write_envelope
from trustctl.evidence.package import sign_manifest, write_manifest
from trustctl.records.signing import fingerprint, load_public_key, public_pem


def _verify(directory: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["evidence", "verify", str(directory), *extra])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def pinned(quarter: Built, aws: AwsTarget, tmp_path: Path) -> Path:
    """The signing key's public half as the auditor gets it: from KMS, not from the package."""
    der = client("kms", aws).get_public_key(KeyId=quarter.key_id)["PublicKey"]
    path = tmp_path / "evidence-signing-key.pem"
    path.write_text(public_pem(load_public_key(der, "kms")))
    return path


def test_a_valid_directory_verifies_offline_and_through_kms(quarter: Built,
                                                            pinned: Path) -> None:
    code, out, _ = _verify(quarter.out, "--public-key", str(pinned))
    assert code == 0, out
    files = len(json.loads((quarter.out / "manifest.json").read_text())["files"])
    print_ = fingerprint(load_public_key(pinned.read_bytes(), "pinned"))
    assert f"{files} files match manifest.json; signature: the pinned key {print_}" in out
    code, out, _ = _verify(quarter.out, "--fingerprint", print_)
    assert code == 0, out
    code, out, _ = _verify(quarter.out, "--kms-key-id", quarter.key_id)
    assert code == 0 and f"signature: KMS key {quarter.key_id}" in out


def test_without_a_pinned_key_a_valid_signature_is_not_enough(quarter: Built) -> None:
    code, out, err = _verify(quarter.out)
    assert code == 2, out
    assert "public-key.pem (fingerprint sha256:" in out and "an unpinned key" in out
    assert err.startswith("trustctl: evidence verify: signature valid for an unpinned key")


def test_records_manifest_signature_and_key_rewritten_together(quarter: Built, pinned: Path,
                                                              aws: AwsTarget) -> None:
    """Issue 21: the attacker rewrites a record and re-signs everything with their own key."""
    record = next((quarter.out / "records").glob("drill-*.json"))
    record.write_text(record.read_text().replace('"fail"', '"pass"'))
    mallory = client("kms", aws).create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")[
        "KeyMetadata"]["KeyId"]
    manifest = json.loads(write_manifest(quarter.out).read_text())
    keyid = sign_manifest(quarter.out, client("kms", aws), mallory)
    write_envelope(quarter.out, manifest, {}, client("kms", aws), mallory, f"sha256:{keyid}")
    code, out, _ = _verify(quarter.out, "--public-key", str(pinned))
    assert code == 1, out
    assert "MISMATCH public-key.pem: key sha256:" in out and "is not the pinned key" in out
    code, out, _ = _verify(quarter.out, "--fingerprint",
                           fingerprint(load_public_key(pinned.read_bytes(), "pinned")))
    assert code == 1 and "is not the pinned key" in out, out
    code, out, err = _verify(quarter.out)
    assert code == 2 and "signature valid for an unpinned key" in err


def test_flipping_one_byte_in_any_file_fails_naming_it(quarter: Built, pinned: Path) -> None:
    files = sorted(p for p in quarter.out.rglob("*") if p.is_file())
    assert len(files) > 100  # every record of the quarter, the reports, the package files
    for path in files:
        original = path.read_bytes()
        flipped = bytearray(original)
        flipped[len(flipped) // 2] ^= 0x01
        path.write_bytes(bytes(flipped))
        try:
            code, out, _ = _verify(quarter.out, "--public-key", str(pinned))
        finally:
            path.write_bytes(original)
        name = path.relative_to(quarter.out).as_posix()
        assert code == 1, f"{name}: {out}"
        assert f"MISMATCH {name}" in out, f"{name} not named: {out}"
    assert _verify(quarter.out, "--public-key", str(pinned))[0] == 0


def test_an_added_or_removed_file_is_named(quarter: Built) -> None:
    (quarter.out / "records" / "extra.json").write_text("{}")
    code, out, _ = _verify(quarter.out)
    assert code == 1 and "MISMATCH records/extra.json: not listed in the manifest" in out
    (quarter.out / "records" / "extra.json").unlink()
    (quarter.out / "report.html").unlink()
    code, out, _ = _verify(quarter.out)
    assert code == 1 and "MISMATCH report.html: listed in the manifest but missing" in out


def test_through_kms_only_the_real_key_verifies(quarter: Built, aws: AwsTarget) -> None:
    """Offline, the key in the directory is trusted; through KMS, only the named key is."""
    other = client("kms", aws).create_key(KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256")[
        "KeyMetadata"]["KeyId"]
    code, out, _ = _verify(quarter.out, "--kms-key-id", other)
    assert code == 1 and "MISMATCH manifest.sig.json: signature does not verify" in out


def test_unsigned_needs_allow_unsigned(tmp_path: Path) -> None:
    built = build(tmp_path)
    code, out, err = _verify(built.out)
    assert code == 2 and "not signed" in err and "signature: unsigned" in out
    assert _verify(built.out, "--allow-unsigned")[0] == 0


def test_not_an_evidence_directory_is_one_line(tmp_path: Path) -> None:
    code, _, err = _verify(tmp_path)
    assert code == 2
    assert err.strip().splitlines() == [
        f"trustctl: error: {tmp_path / 'manifest.json'}: no manifest: not an evidence directory"]
