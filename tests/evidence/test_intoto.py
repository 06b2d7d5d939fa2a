"""Issue 21: the package as an in-toto Statement in a DSSE envelope, checked by a verifier that
has never heard of trustctl (securesystemslib, MIT, from PyPI)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import SSlibKey

from evidence.helpers import build
from trustctl.aws import AwsTarget, client
from trustctl.records.signing import fingerprint, load_public_key


def _verified(out: Path, der: bytes) -> dict:
    """The Statement, once securesystemslib has checked the envelope's signature."""
    key = load_public_key(der, "kms")
    envelope = Envelope.from_dict(json.loads((out / "manifest.intoto.json").read_text()))
    sslib = SSlibKey.from_crypto(key, keyid=fingerprint(key), scheme="ecdsa-sha2-nistp256")
    assert set(envelope.verify([sslib], 1)) == {fingerprint(key)}
    return json.loads(envelope.payload)


def test_a_third_party_verifier_checks_the_envelope(tmp_path: Path, signing_key: str,
                                                    aws: AwsTarget) -> None:
    built = build(tmp_path, key_id=signing_key, empty=True)  # RAW-sized: moto signs it as KMS
    der = client("kms", aws).get_public_key(KeyId=signing_key)["PublicKey"]
    statement = _verified(built.out, der)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    files = [p for p in built.out.rglob("*") if p.is_file() and p.name not in (
        "manifest.json", "manifest.sig.json", "public-key.pem", "manifest.intoto.json")]
    assert subjects == {p.relative_to(built.out).as_posix(): hashlib.sha256(
        p.read_bytes()).hexdigest() for p in files}
    assert statement["predicate"]["environment"] == "production"

    # one byte of the payload changed: the third-party verifier refuses it
    path = built.out / "manifest.intoto.json"
    envelope = json.loads(path.read_text())
    payload = bytearray(base64.b64decode(envelope["payload"]))
    payload[-3] ^= 0x01
    envelope["payload"] = base64.b64encode(bytes(payload)).decode()
    path.write_text(json.dumps(envelope))
    with pytest.raises(VerificationError):
        _verified(built.out, der)
