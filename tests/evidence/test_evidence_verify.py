"""`trustctl evidence verify`: every hash and the signature; one flipped byte names its file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from evidence.helpers import Built, build
from trustctl.aws import AwsTarget, client
from trustctl.cli import app


def _verify(directory: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["evidence", "verify", str(directory), *extra])
    return result.exit_code, result.stdout, result.stderr


def test_a_valid_directory_verifies_offline_and_through_kms(quarter: Built) -> None:
    code, out, _ = _verify(quarter.out)
    assert code == 0, out
    files = len(json.loads((quarter.out / "manifest.json").read_text())["files"])
    assert f"{files} files match manifest.json; signature: public-key.pem" in out
    code, out, _ = _verify(quarter.out, "--kms-key-id", quarter.key_id)
    assert code == 0 and f"signature: KMS key {quarter.key_id}" in out


def test_flipping_one_byte_in_any_file_fails_naming_it(quarter: Built) -> None:
    files = sorted(p for p in quarter.out.rglob("*") if p.is_file())
    assert len(files) > 100  # every record of the quarter, the reports, the package files
    for path in files:
        original = path.read_bytes()
        flipped = bytearray(original)
        flipped[len(flipped) // 2] ^= 0x01
        path.write_bytes(bytes(flipped))
        try:
            code, out, _ = _verify(quarter.out)
        finally:
            path.write_bytes(original)
        name = path.relative_to(quarter.out).as_posix()
        assert code == 1, f"{name}: {out}"
        assert f"MISMATCH {name}" in out, f"{name} not named: {out}"
    assert _verify(quarter.out)[0] == 0


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
