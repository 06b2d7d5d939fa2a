"""The evidence package in a standard envelope: an in-toto Statement (v1) in DSSE.

`manifest.intoto.json` says the same as manifest.json (every file with its SHA-256, as the
Statement's subjects) in a form any in-toto or DSSE verifier checks without knowing trustctl
(the tests check it with securesystemslib). It is signed with the same KMS key as
manifest.sig.json, over DSSE's pre-authentication encoding (PAE). KMS signs a RAW message of
at most 4 KiB; a longer PAE (a package of many records) is signed as its SHA-256 DIGEST, which
is the same ECDSA_SHA_256 signature over the same message.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from trustctl.errors import DependencyError
from trustctl.records.signing import PublicKey, verifies
from trustctl.redaction import write_file

ENVELOPE = "manifest.intoto.json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://github.com/claver/trustctl/evidence-report/v1"
RAW_LIMIT = 4096  # the largest message KMS signs as RAW


def statement(files: list[dict[str, Any]], predicate: dict[str, Any]) -> dict[str, Any]:
    """The in-toto Statement: each file of the package a subject with its SHA-256."""
    return {"_type": STATEMENT_TYPE, "predicateType": PREDICATE_TYPE, "predicate": predicate,
            "subject": [{"name": f["path"], "digest": {"sha256": f["sha256"]}} for f in files]}


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1's pre-authentication encoding: what is actually signed."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def write_envelope(directory: Path, manifest: dict[str, Any], predicate: dict[str, Any],
                   kms: Any, key_id: str, keyid: str) -> Path:
    """Sign the Statement of `manifest`'s files with the KMS key; `keyid` names it (its
    public key's fingerprint)."""
    payload = json.dumps(statement(manifest["files"], predicate), sort_keys=True).encode()
    message = pae(PAYLOAD_TYPE, payload)
    raw = len(message) <= RAW_LIMIT
    try:
        signature = kms.sign(
            KeyId=key_id, Message=message if raw else hashlib.sha256(message).digest(),
            MessageType="RAW" if raw else "DIGEST",
            SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    except (ClientError, BotoCoreError) as exc:
        raise DependencyError(f"cannot sign {ENVELOPE} with KMS key {key_id}: {exc}") from None
    envelope = {"payloadType": PAYLOAD_TYPE, "payload": base64.b64encode(payload).decode(),
                "signatures": [{"keyid": keyid, "sig": base64.b64encode(signature).decode()}]}
    path = directory / ENVELOPE
    write_file(path, json.dumps(envelope, indent=2) + "\n")
    return path


def envelope_problem(path: Path, files: list[dict[str, Any]],
                     key: PublicKey | None) -> str | None:
    """Why the envelope at `path` does not vouch for `files` (manifest.json's, whose own
    signature covers the same hashes), or None. The DSSE signature is checked when the
    package is signed (`key`) and its PAE was signed RAW; a larger one (signed as a DIGEST)
    is left to DSSE verifiers: the local KMS stand-in (moto 5.2) cannot sign a DIGEST, so
    that path is not exercised here."""
    try:
        envelope = json.loads(path.read_text())
        payload = base64.b64decode(envelope["payload"], validate=True)
        signatures = [base64.b64decode(s["sig"], validate=True) for s in envelope["signatures"]]
        subjects = {s["name"]: s["digest"]["sha256"] for s in json.loads(payload)["subject"]}
        payload_type = str(envelope["payloadType"])
    except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError):
        return "unreadable DSSE envelope"
    if subjects != {f["path"]: f["sha256"] for f in files}:
        return "its subjects are not the files of manifest.json"
    message = pae(payload_type, payload)
    if key is not None and len(message) <= RAW_LIMIT and not any(
            verifies(key, s, message) for s in signatures):
        return "DSSE signature does not verify"
    return None
