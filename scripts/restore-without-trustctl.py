#!/usr/bin/env python3
"""Authenticates and decrypts one trustctl backup into a file pg_restore reads, without trustctl.

For the day trustctl itself cannot run. Needs only boto3, cryptography and zstandard
(`pip install boto3 cryptography zstandard`); the format is specified in docs/backup-format.md.
AWS credentials and region come from boto3's usual chain (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL, ...); in a regional outage point it at the replica bucket and region: the
multi-Region replica key unwraps the data key with no call to the primary region.

    restore-without-trustctl.py --bucket B --backup-id ID --out dump.custom
    psql -v ON_ERROR_STOP=1 -d target -f dump.custom.roles.sql  # roles the dump names
    pg_restore --exit-on-error -d target dump.custom  # (directory formats: -j N -d target DIR)

The manifest found at ID must be ID's (id, object key, start time), its data key must unwrap
under ID's encryption context and every field's MAC must verify; nothing is written under
--out unless that holds and every byte of the dump authenticated and matched the manifest.
A backup of the old, unauthenticated format (manifest version 1) is read only with
--unauthenticated-v1: then nothing proves the manifest is the one its backup wrote.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import struct
import sys
import tarfile
from datetime import UTC, datetime

import boto3
import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC, U32 = b"TRUSTENV", struct.Struct(">I")
V1, V2 = "trustctl-backup-manifest/1", "trustctl-backup-manifest/2"
CHUNK_KEY_INFO = b"trustctl envelope v2: AES-256-GCM chunk key"
MAC_KEY_INFO = b"trustctl manifest v2: HMAC-SHA256 field key"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--backup-id", required=True)
    parser.add_argument("--prefix", default="backups")
    parser.add_argument("--out", required=True,
                        help="file (custom) or directory (directory-tar, directory)")
    parser.add_argument("--unauthenticated-v1", action="store_true",
                        help="also read a backup whose manifest is of the old format, which "
                        "carries no MAC (nothing proves it is the one its backup wrote)")
    args = parser.parse_args()
    s3, kms = boto3.client("s3"), boto3.client("kms")
    base = f"{args.prefix.strip('/')}/{args.backup_id}"
    manifest = json.loads(s3.get_object(Bucket=args.bucket, Key=f"{base}/manifest.json")["Body"]
                          .read())
    if manifest.get("format") == V1 and args.unauthenticated_v1:
        print("WARNING: version 1 manifest: not authenticated", file=sys.stderr)
        context, version = manifest["encryption_context"], 1
    elif manifest.get("format") == V2:
        context, version = bound_context(manifest, args.backup_id, f"{base}/dump.enc"), 2
    else:
        sys.exit(f"manifest format {manifest.get('format')!r} refused (see --help)")
    wrapped = base64.b64decode(manifest["wrapped_data_key"])
    key = kms.decrypt(CiphertextBlob=wrapped, EncryptionContext=context)["Plaintext"]
    if version == 2:
        check_macs(manifest, hkdf(key, MAC_KEY_INFO))
    chunk_key = hkdf(key, CHUNK_KEY_INFO) if version == 2 else key
    partial = args.out + ".partial"
    main_object = {"key": manifest["object_key"], "version": manifest.get("object_version"),
                   "bytes": manifest["object_bytes"], "sha256": manifest["object_sha256"]}
    try:
        if manifest["dump_format"] == "directory":  # one object per table (version 2 only)
            if version != 2 or "table_objects" not in manifest:
                sys.exit("a directory backup without its authenticated table_objects: refused")
            os.makedirs(partial)
            fetch(s3, args.bucket, main_object, context, wrapped, chunk_key, version,
                  os.path.join(partial, "toc.dat"))
            for entry in manifest["table_objects"]:
                if (entry["key"] != f"{base}/tables/{entry['file']}.enc"
                        or "/" in entry["file"] or entry["file"].startswith(".")):
                    sys.exit(f"table object {entry['file']} is not at its place: forged")
                own = {**context, "trustctl:object": entry["key"]}
                fetch(s3, args.bucket, entry, own, wrapped, chunk_key, version,
                      os.path.join(partial, entry["file"]))
            os.replace(partial, args.out)
        else:
            fetch(s3, args.bucket, main_object, context, wrapped, chunk_key, version, partial)
            finish(partial, args.out, manifest)
    finally:
        if os.path.isdir(partial):
            shutil.rmtree(partial)
        elif os.path.exists(partial):
            os.remove(partial)
    with open(args.out + ".roles.sql", "w") as roles:
        roles.write(roles_sql(manifest["roles"]))
    print(f"{args.out}: {manifest['dump_format']} archive of {manifest['dump_bytes']} bytes, "
          f"backup {manifest['backup_id']} finished {manifest['finished_at']}"
          + (" (manifest authenticated)" if version == 2 else " (NOT authenticated)"))
    return 0


def bound_context(manifest: dict, backup_id: str, object_key: str) -> dict:
    """The encryption context of the backup at `backup_id`, once the manifest names it."""
    match = re.fullmatch(r"(\d{8}T\d{6}Z)-[0-9a-f]{6}", backup_id)
    if not match:
        sys.exit(f"{backup_id} is not a backup id")
    started = datetime.fromisoformat(manifest["started_at"]).astimezone(UTC)
    for field, found, expected in (
            ("backup_id", manifest["backup_id"], backup_id),
            ("object_key", manifest["object_key"], object_key),
            ("started_at", started.strftime("%Y%m%dT%H%M%SZ"), match.group(1))):
        if found != expected:
            sys.exit(f"manifest field {field} is not backup {backup_id}'s: forged or swapped")
    return {"trustctl:backup-id": backup_id, "trustctl:object": object_key,
            "trustctl:created-at": manifest["started_at"]}


def hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(key)


def check_macs(manifest: dict, mac_key: bytes) -> None:
    """Every field but `authentication` has its HMAC-SHA256 over [name, value] (canonical)."""
    fields = {name: value for name, value in manifest.items() if name != "authentication"}
    macs = manifest["authentication"]["fields"]
    bad = sorted(set(fields) ^ set(macs)) + [
        name for name in sorted(set(fields) & set(macs)) if not hmac.compare_digest(
            str(macs[name]).encode(), hmac.new(mac_key, json.dumps(
                [name, fields[name]], sort_keys=True, separators=(",", ":")).encode(),
                hashlib.sha256).hexdigest().encode())]
    if bad:
        sys.exit(f"manifest field(s) {', '.join(bad)} fail authentication: refusing the backup")


def fetch(s3, bucket: str, entry: dict, context: dict, wrapped: bytes, key: bytes,
          version: int, path: str) -> None:
    """One object (pinned to its version when known) into `path`, checked against `entry`."""
    pinned = {"VersionId": entry["version"]} if entry.get("version") else {}
    body = s3.get_object(Bucket=bucket, Key=entry["key"], **pinned)["Body"]
    digest, size = decrypt_to(body, context, wrapped, key, version, path)
    if (size, digest) != (entry["bytes"], entry["sha256"]):
        sys.exit(f"object {entry['key']}: size or SHA-256 differs from the manifest: refusing it")


def decrypt_to(body, context: dict, wrapped: bytes, key: bytes, version: int,
               path: str) -> tuple[str, int]:
    """Streams object -> AES-256-GCM chunks -> zstd -> `path`; returns the object's hash, size."""
    seen, count = hashlib.sha256(), [0]

    def read(n: int) -> bytes:
        data = body.read(n)
        while len(data) < n and (more := body.read(n - len(data))):
            data += more
        seen.update(data)
        count[0] += len(data)
        return data

    prefix = read(len(MAGIC) + 4)
    if prefix[:len(MAGIC)] != MAGIC:
        sys.exit("not a trustctl envelope")
    header_json = read(U32.unpack(prefix[len(MAGIC):])[0])
    header = json.loads(header_json)
    if header["version"] != version or header["algorithm"] != "AES-256-GCM":
        sys.exit(f"unexpected envelope {header['algorithm']} v{header['version']}")
    canonical = json.dumps(context, sort_keys=True, separators=(",", ":")).encode()
    if hashlib.sha256(canonical).hexdigest() != header["context_sha256"]:
        sys.exit("the envelope was sealed for another backup (encryption context differs)")
    if base64.b64decode(header["wrapped_key"]) != wrapped:
        sys.exit("the envelope's wrapped data key is not the manifest's")
    aead, nonce_prefix = AESGCM(key), base64.b64decode(header["nonce_prefix"])
    header_digest = hashlib.sha256(prefix + header_json).digest()
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    index, final = 0, False
    with open(path, "wb") as out:
        while not final:
            length = read(4)
            if len(length) < 4:
                sys.exit(f"the object is truncated: it ends before its final chunk ({index})")
            sealed = read(min(U32.unpack(length)[0], header["chunk_size"] + 16))
            nonce = nonce_prefix + U32.pack(index)
            for final in (False, True):  # the final flag is only known through the tag
                try:
                    chunk = aead.decrypt(nonce, sealed, header_digest + struct.pack(
                        ">QB", index, final))
                    break
                except InvalidTag:
                    continue
            else:
                sys.exit(f"chunk {index} failed authentication (tampered, truncated, wrong key)")
            out.write(decompressor.decompress(chunk))
            index += 1
    if body.read(1) or not decompressor.eof:
        sys.exit("data after the final chunk, or the compressed stream ends early")
    return seen.hexdigest(), count[0]


def finish(partial: str, out: str, manifest: dict) -> None:
    """custom: the file itself; directory-tar: the tar unpacked into the directory `out`."""
    if manifest["dump_format"] == "custom":
        os.replace(partial, out)
        return
    os.makedirs(out)
    with tarfile.open(partial) as archive:
        archive.extractall(out, filter="data")
    if not os.path.exists(os.path.join(out, "toc.dat")):
        shutil.rmtree(out)
        sys.exit("the directory-tar archive has no toc.dat")


def roles_sql(roles: list[dict]) -> str:
    """Roles the target lacks, created NOLOGIN as production had them; memberships only between
    roles this file created, never in predefined (pg_*) roles: an existing role is not altered."""
    def ident(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def literal(name: str) -> str:
        return "'" + name.replace("'", "''") + "'"

    def do(body: str) -> str:  # a dollar-quote tag the body does not contain
        tag = next(f"$q{n}$" for n in range(len(body) + 1) if f"$q{n}$" not in body)
        return f"DO {tag}BEGIN {body} END{tag};"

    lines = ["CREATE TEMP TABLE trustctl_created (name text);"]
    for r in roles:
        powers = " ".join(("" if r.get(p) else "NO") + p.upper()
                          for p in ("superuser", "bypassrls", "createrole"))
        lines.append(do(f"CREATE ROLE {ident(r['name'])} NOLOGIN {powers} "
                        f"{'' if r['inherit'] else 'NO'}INHERIT; INSERT INTO trustctl_created "
                        f"VALUES ({literal(r['name'])}); EXCEPTION WHEN duplicate_object THEN "
                        "NULL;"))
    for r in roles:
        for group in r["member_of"]:
            if group.startswith("pg_"):
                lines.append(f"-- not granted: {json.dumps(r['name'])} in {json.dumps(group)} "
                             "(predefined role)")
                continue
            lines.append(do(f"IF (SELECT count(*) FROM trustctl_created WHERE name IN "
                            f"({literal(r['name'])}, {literal(group)})) = 2 THEN GRANT "
                            f"{ident(group)} TO {ident(r['name'])}; END IF;"))
    return "\n".join(lines) + "\n"

if __name__ == "__main__":
    sys.exit(main())
