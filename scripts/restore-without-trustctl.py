#!/usr/bin/env python3
"""Decrypts one trustctl backup into a file pg_restore reads, without trustctl.

For the day trustctl itself cannot run. Needs only boto3, cryptography and zstandard
(`pip install boto3 cryptography zstandard`); the format is specified in docs/backup-format.md.
AWS credentials and region come from boto3's usual chain (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL, ...); in a regional outage point it at the replica bucket and region: the
multi-Region replica key unwraps the data key with no call to the primary region.

    restore-without-trustctl.py --bucket B --backup-id ID --out dump.custom
    psql -d target -f dump.custom.roles.sql      # roles the dump's owners, grants, policies name
    pg_restore --exit-on-error -d target dump.custom  # (directory-tar: pg_restore -d target DIR)

Nothing is written under --out unless every byte authenticated and matched the manifest.
"""

import argparse
import base64
import hashlib
import json
import os
import shutil
import struct
import sys
import tarfile

import boto3
import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC, U32 = b"TRUSTENV", struct.Struct(">I")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--backup-id", required=True)
    parser.add_argument("--prefix", default="backups")
    parser.add_argument("--out", required=True, help="file (custom) or directory (directory-tar)")
    args = parser.parse_args()
    s3, kms = boto3.client("s3"), boto3.client("kms")
    base = f"{args.prefix.strip('/')}/{args.backup_id}"
    manifest = json.loads(s3.get_object(Bucket=args.bucket, Key=f"{base}/manifest.json")["Body"]
                          .read())
    if manifest["format"] != "trustctl-backup-manifest/1":
        sys.exit(f"unknown manifest format {manifest['format']!r}")
    body = s3.get_object(Bucket=args.bucket, Key=manifest["object_key"])["Body"]
    partial = args.out + ".partial"
    try:
        digest, size = decrypt_to(body, manifest, kms, partial)
        if (size, digest) != (manifest["object_bytes"], manifest["object_sha256"]):
            sys.exit("object size or SHA-256 differs from the manifest: refusing it")
        finish(partial, args.out, manifest)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    with open(args.out + ".roles.sql", "w") as roles:
        roles.write(roles_sql(manifest["roles"]))
    print(f"{args.out}: {manifest['dump_format']} archive of {manifest['dump_bytes']} bytes, "
          f"backup {manifest['backup_id']} finished {manifest['finished_at']}")
    return 0


def decrypt_to(body, manifest: dict, kms, path: str) -> tuple[str, int]:
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
    if header["version"] != 1 or header["algorithm"] != "AES-256-GCM":
        sys.exit(f"unsupported envelope {header['algorithm']} v{header['version']}")
    context = manifest["encryption_context"]
    canonical = json.dumps(context, sort_keys=True, separators=(",", ":")).encode()
    if hashlib.sha256(canonical).hexdigest() != header["context_sha256"]:
        sys.exit("the envelope was sealed for another backup (encryption context differs)")
    wrapped = base64.b64decode(header["wrapped_key"])
    key = kms.decrypt(CiphertextBlob=wrapped, EncryptionContext=context)["Plaintext"]
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
    """Every role the dump names, created when missing (no login, no password), then memberships."""
    lines = [f'DO $$BEGIN CREATE ROLE "{r["name"]}" NOLOGIN {"" if r["superuser"] else "NO"}'
             f'SUPERUSER {"" if r["bypassrls"] else "NO"}BYPASSRLS {"" if r["inherit"] else "NO"}'
             'INHERIT; EXCEPTION WHEN duplicate_object THEN NULL; END$$;' for r in roles]
    lines += [f'GRANT "{group}" TO "{r["name"]}";' for r in roles for group in r["member_of"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
