"""Who wrote a record: an ECDSA P-256 signature over its hash, by a local key or by KMS.

A record's SHA-256 only proves it agrees with itself: anyone who can write the store can
edit and re-hash. The signature ties each record to a key the writer of the store does not
hold. Production jobs sign through KMS (the evidence signing key, TRUSTCTL_EVIDENCE_SIGNING_KEY,
which never leaves KMS); a local store is signed with a key file kept outside it
(TRUSTCTL_RECORD_KEY, default ~/.config/trustctl/record-signing-key.pem, mode 0600, made on
first use). `evidence build` trusts only keys it is given apart from the records (pinned).
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from trustctl.errors import DependencyError, InputError

ALGORITHM = "ECDSA_P256_SHA256"
KMS_ALGORITHM = "ECDSA_SHA_256"
KEY_ENV = "TRUSTCTL_RECORD_KEY"
KMS_ENV = "TRUSTCTL_EVIDENCE_SIGNING_KEY"
DEFAULT_KEY = Path("~/.config/trustctl/record-signing-key.pem")
PublicKey = ec.EllipticCurvePublicKey


def fingerprint(key: PublicKey) -> str:
    """`sha256:<hex>` of the key's DER SubjectPublicKeyInfo (what `openssl pkey -pubin
    -outform DER | sha256sum` prints)."""
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"sha256:{hashlib.sha256(der).hexdigest()}"


def public_pem(key: PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(data: bytes, where: str) -> PublicKey:
    """A P-256 public key from PEM (or DER, as KMS returns it); one line naming `where` if not."""
    try:
        key = (serialization.load_pem_public_key(data) if data.lstrip().startswith(b"-----")
               else serialization.load_der_public_key(data))
    except ValueError:
        raise InputError(f"{where}: not a readable public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise InputError(f"{where}: not an ECDSA P-256 public key")
    return key


def verifies(key: PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


class Signer(Protocol):
    """Signs small messages; `key` is the fingerprint of its public half."""

    @property
    def public_key(self) -> PublicKey: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True)
class Signature:
    """A signature as a record carries it: algorithm, signer's fingerprint, base64 value."""

    key: str
    value: bytes
    algorithm: str = ALGORITHM

    def to_json(self) -> dict[str, str]:
        return {"algorithm": self.algorithm, "key": self.key,
                "value": base64.b64encode(self.value).decode()}

    @classmethod
    def from_json(cls, data: Any) -> Signature | None:
        """The signature, or None when it is absent or malformed (the caller says which)."""
        try:
            return cls(key=str(data["key"]), algorithm=str(data["algorithm"]),
                       value=base64.b64decode(data["value"], validate=True))
        except (KeyError, TypeError, ValueError):
            return None


def sign(signer: Signer, message: bytes) -> Signature:
    return Signature(key=fingerprint(signer.public_key), value=signer.sign(message))


class LocalSigner:
    """A P-256 private key in a file outside the store, readable by its owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key = _load_or_create(path)

    @property
    def public_key(self) -> PublicKey:
        return self._key.public_key()

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message, ec.ECDSA(hashes.SHA256()))


class KmsSigner:
    """The KMS evidence signing key (ECC_NIST_P256, SIGN_VERIFY): the private half never leaves
    KMS, so whoever can write the bucket cannot sign."""

    def __init__(self, kms: Any, key_id: str) -> None:
        self.kms, self.key_id = kms, key_id
        try:
            der = kms.get_public_key(KeyId=key_id)["PublicKey"]
        except (ClientError, BotoCoreError) as exc:
            raise DependencyError(f"KMS key {key_id}: cannot read its public key: "
                                  f"{_kms_error(exc)}") from None
        self._public = load_public_key(der, f"KMS key {key_id}")

    @property
    def public_key(self) -> PublicKey:
        return self._public

    def sign(self, message: bytes) -> bytes:
        try:
            return self.kms.sign(KeyId=self.key_id, Message=message, MessageType="RAW",
                                 SigningAlgorithm=KMS_ALGORITHM)["Signature"]
        except (ClientError, BotoCoreError) as exc:
            raise DependencyError(f"cannot sign with KMS key {self.key_id}: "
                                  f"{_kms_error(exc)}") from None


def local_key_path() -> Path:
    return Path(os.environ.get(KEY_ENV) or DEFAULT_KEY).expanduser()


def signer_from_environment() -> Signer:
    """KMS when TRUSTCTL_EVIDENCE_SIGNING_KEY names a key (production), else the local key."""
    key_id = os.environ.get(KMS_ENV)
    if key_id:
        from trustctl import aws

        return KmsSigner(aws.client("kms", aws.from_environment()), key_id)
    return LocalSigner(local_key_path())


def local_public_key() -> PublicKey | None:
    """The public half of this machine's local record key, when there is one."""
    path = local_key_path()
    return _load_or_create(path).public_key() if path.is_file() else None


def _load_or_create(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return _create(path)
    except OSError as exc:
        raise InputError(f"record signing key {path}: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise InputError(f"record signing key {path}: not an unencrypted PEM private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise InputError(f"record signing key {path}: not an ECDSA P-256 key")
    return key


def _create(path: Path) -> ec.EllipticCurvePrivateKey:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".record-key-")
        with os.fdopen(fd, "wb") as out:  # mkstemp: mode 0600
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        try:  # link: the key appears whole or not at all, and never replaces another
            os.link(temp, path)
        finally:
            os.unlink(temp)
    except FileExistsError:  # another writer made it first: use theirs
        return _load_or_create(path)
    except OSError as exc:
        raise InputError(f"cannot create record signing key {path}: {exc.strerror}") from None
    return key


def _kms_error(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code')}: {error.get('Message')}"
    return str(exc)
