"""The evidence directory as a package an auditor can check: every file hashed, the list signed.

`manifest.json` lists every file with its SHA-256. When a signing key is configured, KMS signs
(ECDSA_SHA_256 with the asymmetric SIGN_VERIFY key infra/ declares, used for nothing else) the
statement `trustctl-evidence-manifest/1 key:<key id> sha256:<hash of manifest.json>`; the
signature goes to
`manifest.sig.json` and the key's public half to `public-key.pem`. The shipped public-key.pem
only proves the files agree with each other: `verify` trusts a key pinned apart from the
package (the committed policies/evidence-signing-key.pem, --public-key, --fingerprint, or
KMS with --kms-key-id), and says "unpinned" (exit 2) when it has none.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives.asymmetric import ec

from trustctl.errors import DependencyError, InputError
from trustctl.evidence.intoto import ENVELOPE, envelope_problem
from trustctl.records.signing import fingerprint as key_fingerprint
from trustctl.records.signing import load_public_key, public_pem, verifies
from trustctl.redaction import write_file

MANIFEST, SIGNATURE, PUBLIC_KEY = "manifest.json", "manifest.sig.json", "public-key.pem"
MANIFEST_FORMAT = "trustctl-evidence-manifest/1"
ALGORITHM = "ECDSA_SHA_256"
_PACKAGE_FILES = {MANIFEST, SIGNATURE, PUBLIC_KEY, ENVELOPE}


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
    key = load_public_key(public_der, f"KMS key {key_id}")
    write_file(directory / PUBLIC_KEY, public_pem(key))
    fingerprint = key_fingerprint(key).removeprefix("sha256:")
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


def verify_package(directory: Path, anchor: Anchor) -> Verification:
    """Check every hash and the signature, against `anchor` (see Anchor)."""
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
    signed = (directory / SIGNATURE).exists()
    if signed:
        _check_signature(directory, result, anchor)
    if (directory / ENVELOPE).exists():
        key = _envelope_key(directory, anchor) if signed else None
        problem = envelope_problem(directory / ENVELOPE, manifest["files"], key)
        if problem:
            result.bad(ENVELOPE, problem)
    return result


def _envelope_key(directory: Path, anchor: Anchor) -> ec.EllipticCurvePublicKey | None:
    """The key the envelope must be signed with: the anchor's (KMS: its public half), else
    the shipped one (whose pinning _check_signature has judged)."""
    if anchor.kms is not None and anchor.kms_key_id:
        try:
            der = anchor.kms.get_public_key(KeyId=anchor.kms_key_id)["PublicKey"]
        except (ClientError, BotoCoreError) as exc:
            raise DependencyError(f"cannot read KMS key {anchor.kms_key_id}: {exc}") from None
        return load_public_key(der, f"KMS key {anchor.kms_key_id}")
    if anchor.public_key is not None:
        return anchor.public_key
    try:
        return load_public_key((directory / PUBLIC_KEY).read_bytes(), PUBLIC_KEY)
    except (OSError, InputError):
        return None


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


@dataclass(frozen=True)
class Anchor:
    """What `verify` trusts, got apart from the package: a pinned public key, its fingerprint,
    or the KMS key itself. None of them: the key shipped in the package, which proves only
    that the files agree with each other (anyone rewriting them can ship a new key)."""

    public_key: ec.EllipticCurvePublicKey | None = None
    fingerprint: str | None = None  # sha256:<hex> of the DER public key
    kms: Any = None
    kms_key_id: str | None = None

    @property
    def pinned(self) -> bool:
        return bool(self.public_key or self.fingerprint or self.kms_key_id)


def _check_signature(directory: Path, result: Verification, anchor: Anchor) -> None:
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
    if anchor.kms is not None and anchor.kms_key_id:
        check = _kms_check(anchor.kms, anchor.kms_key_id, signature)
        result.signature = f"KMS key {anchor.kms_key_id}"
    else:
        try:
            shipped = load_public_key((directory / PUBLIC_KEY).read_bytes(), PUBLIC_KEY)
        except (OSError, InputError):
            shipped = None
        key = anchor.public_key or shipped
        if key is None:
            result.bad(PUBLIC_KEY, "missing or not a readable EC public key")
            return
        check = _offline_check(key, signature)
        result.signature = _describe(key, anchor)
        pin = anchor.fingerprint or (key_fingerprint(key) if anchor.public_key else None)
        if pin and (shipped is None or key_fingerprint(shipped) != pin):
            shown = key_fingerprint(shipped) if shipped else "missing or unreadable"
            result.bad(PUBLIC_KEY, f"key {shown} is not the pinned key {pin}")
            if anchor.fingerprint:
                return
        if key_fingerprint(key) != f"sha256:{fingerprint}":
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


def _describe(key: ec.EllipticCurvePublicKey, anchor: Anchor) -> str:
    shown = key_fingerprint(key)
    if anchor.public_key is not None:
        return f"the pinned key {shown}"
    if anchor.fingerprint:
        return f"{PUBLIC_KEY}, the pinned key {shown}"
    return f"{PUBLIC_KEY} (fingerprint {shown}), an unpinned key"


def _offline_check(key: ec.EllipticCurvePublicKey, signature: bytes) -> Any:
    return lambda message: verifies(key, signature, message)


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
