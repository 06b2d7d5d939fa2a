"""The evidence directory as a package an auditor can check: every file hashed, the list signed.

`manifest.json` lists every file with its SHA-256. When a signing key is configured, KMS signs
(ECDSA_SHA_256 with the asymmetric SIGN_VERIFY key infra/ declares, used for nothing else) the
statement `trustctl-evidence-manifest/1 key:<key id> sha256:<hash of manifest.json>`; the
signature goes to
`manifest.sig.json` and the key's public half to `public-key.pem`, so `verify` works offline.
Offline, public-key.pem only proves the files agree with each other: compare its fingerprint
with the one published for the key, or verify through KMS with --kms-key-id.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from trustctl.errors import DependencyError, InputError
from trustctl.redaction import write_file

MANIFEST, SIGNATURE, PUBLIC_KEY = "manifest.json", "manifest.sig.json", "public-key.pem"
MANIFEST_FORMAT = "trustctl-evidence-manifest/1"
ALGORITHM = "ECDSA_SHA_256"
_PACKAGE_FILES = {MANIFEST, SIGNATURE, PUBLIC_KEY}


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def statement(key_id: str, manifest_sha256: str) -> bytes:
    """What is signed: small (KMS signs RAW messages up to 4 KiB), names format and key."""
    return f"{MANIFEST_FORMAT} key:{key_id} sha256:{manifest_sha256}".encode()


def write_manifest(directory: Path) -> Path:
    files = sorted(p for p in directory.rglob("*") if p.is_file()
                   and p.relative_to(directory).as_posix() not in _PACKAGE_FILES)
    manifest = {"format": MANIFEST_FORMAT, "algorithm": "SHA-256",
                "files": [{"path": p.relative_to(directory).as_posix(), "sha256": sha256_file(p),
                           "bytes": p.stat().st_size} for p in files]}
    path = directory / MANIFEST
    write_file(path, json.dumps(manifest, indent=2) + "\n")
    return path


def sign_manifest(directory: Path, kms: Any, key_id: str) -> str:
    """Sign manifest.json with the KMS key; write the signature and public key. Fingerprint."""
    digest = sha256_file(directory / MANIFEST)
    try:
        signature = kms.sign(KeyId=key_id, Message=statement(key_id, digest), MessageType="RAW",
                             SigningAlgorithm=ALGORITHM)["Signature"]
        public_der = kms.get_public_key(KeyId=key_id)["PublicKey"]
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise DependencyError(f"cannot sign with KMS key {key_id}: {error.get('Code')}: "
                              f"{error.get('Message')}") from None
    except BotoCoreError as exc:
        raise DependencyError(f"cannot sign with KMS key {key_id}: {exc}") from None
    key = serialization.load_der_public_key(public_der)
    pem = key.public_bytes(serialization.Encoding.PEM,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    write_file(directory / PUBLIC_KEY, pem.decode())
    fingerprint = hashlib.sha256(public_der).hexdigest()
    write_file(directory / SIGNATURE, json.dumps({
        "key_id": key_id, "algorithm": ALGORITHM, "manifest_sha256": digest,
        "public_key_sha256": fingerprint,
        "signature": base64.b64encode(signature).decode()}, indent=2) + "\n")
    return fingerprint


@dataclass
class Verification:
    """What `verify` found: the files that do not match, and how the signature was checked."""

    mismatched: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    checked: int = 0
    signature: str = "unsigned"

    def bad(self, name: str, why: str) -> None:
        self.mismatched.append(name)
        self.reasons.append(f"{name}: {why}")


def verify_package(directory: Path, kms: Any = None, key_id: str | None = None) -> Verification:
    """Check every hash and the signature (offline with public-key.pem, or through KMS)."""
    result = Verification()
    manifest = _manifest(directory)
    listed = set()
    for entry in manifest["files"]:
        listed.add(entry["path"])
        path = directory / entry["path"]
        if not path.is_file():
            result.bad(entry["path"], "listed in the manifest but missing")
        elif sha256_file(path) != entry["sha256"]:
            result.bad(entry["path"], "SHA-256 does not match the manifest")
        else:
            result.checked += 1
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix()
        if name not in listed and name not in _PACKAGE_FILES:
            result.bad(name, "not listed in the manifest")
    if (directory / SIGNATURE).exists():
        _check_signature(directory, result, kms, key_id)
    return result


def _manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text())
        if manifest.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"not a {MANIFEST_FORMAT}")
        files = manifest["files"]
        if not all(isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str)
                   for f in files):
            raise ValueError("malformed file list")
    except FileNotFoundError:
        raise InputError(f"{path}: no manifest: not an evidence directory") from None
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ManifestAltered(f"{MANIFEST}: unreadable ({exc})") from None
    return manifest


class ManifestAltered(InputError):
    """manifest.json itself cannot be read: every file it vouches for is unverifiable."""


def _check_signature(directory: Path, result: Verification, kms: Any,
                     key_id: str | None) -> None:
    try:
        sig = json.loads((directory / SIGNATURE).read_text())
        signature = base64.b64decode(sig["signature"], validate=True)
        recorded, signer, fingerprint = (sig["manifest_sha256"], str(sig["key_id"]),
                                         sig["public_key_sha256"])
        if sig["algorithm"] != ALGORITHM:
            raise ValueError(f"algorithm {sig['algorithm']!r}")
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        result.bad(SIGNATURE, "unreadable signature file")
        return
    actual = sha256_file(directory / MANIFEST)
    if kms is not None and key_id:
        check = _kms_check(kms, key_id, signature)
        result.signature = f"KMS key {key_id}"
    else:
        try:
            key = serialization.load_pem_public_key((directory / PUBLIC_KEY).read_bytes())
            if not isinstance(key, ec.EllipticCurvePublicKey):
                raise ValueError("not an EC key")
        except (OSError, ValueError, TypeError):
            result.bad(PUBLIC_KEY, "missing or not a readable EC public key")
            return
        check = _offline_check(key, signature)
        der = key.public_bytes(serialization.Encoding.DER,
                               serialization.PublicFormat.SubjectPublicKeyInfo)
        actual_fingerprint = hashlib.sha256(der).hexdigest()
        result.signature = f"{PUBLIC_KEY} (fingerprint sha256:{actual_fingerprint})"
        if actual_fingerprint != fingerprint:
            valid = check(statement(signer, actual))
            result.bad(SIGNATURE if valid else PUBLIC_KEY,
                       "public key fingerprint does not match the signature file")
            return
    if check(statement(signer, actual)):
        if recorded != actual:
            result.bad(SIGNATURE, "manifest_sha256 altered")
        return
    if recorded != actual and check(statement(signer, recorded)):
        result.bad(MANIFEST, "altered after it was signed")
    else:
        result.bad(SIGNATURE, "signature does not verify")


def _offline_check(key: ec.EllipticCurvePublicKey, signature: bytes) -> Any:
    def check(message: bytes) -> bool:
        try:
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            return True
        except InvalidSignature:
            return False
    return check


def _kms_check(kms: Any, key_id: str, signature: bytes) -> Any:
    def check(message: bytes) -> bool:
        try:
            return bool(kms.verify(KeyId=key_id, Message=message, MessageType="RAW",
                                   SigningAlgorithm=ALGORITHM,
                                   Signature=signature)["SignatureValid"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "KMSInvalidSignatureException":
                return False
            raise DependencyError(f"cannot verify with KMS key {key_id}: {exc}") from None
        except BotoCoreError as exc:
            raise DependencyError(f"cannot verify with KMS key {key_id}: {exc}") from None
    return check
