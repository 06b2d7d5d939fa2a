"""A KMS key is a symmetric AES-256 key with rotation on and a deletion window.

A SIGN_VERIFY key (the evidence signing key) encrypts nothing, so AES-256 and rotation (which
AWS does not offer for asymmetric keys) do not apply to it; its deletion window still does.
"""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, is_true, number, shown

MIN_DELETION_WINDOW_DAYS = 7

METADATA = Metadata(
    severity="CRITICAL",
    risk="Data is encrypted under a key that is not AES-256, never rotates, or can vanish at once.",
    remediation=(
        "Declare aws_kms_key with customer_master_key_spec SYMMETRIC_DEFAULT (AES-256-GCM), "
        "key_usage ENCRYPT_DECRYPT, enable_key_rotation true and "
        f"deletion_window_in_days >= {MIN_DELETION_WINDOW_DAYS}."
    ),
)


class KmsKeyAes256Rotated(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_8",
            name="Ensure KMS keys are symmetric AES-256 keys with rotation and a deletion window",
            category=CheckCategories.ENCRYPTION,
            resources=["aws_kms_key"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        found = []
        spec = attr(conf, "customer_master_key_spec") or "SYMMETRIC_DEFAULT"
        usage = attr(conf, "key_usage") or "ENCRYPT_DECRYPT"
        signs_only = usage == "SIGN_VERIFY" and spec != "SYMMETRIC_DEFAULT"
        if spec != "SYMMETRIC_DEFAULT" and not signs_only:
            found.append(f"customer_master_key_spec is {spec}, not SYMMETRIC_DEFAULT (AES-256)")
        if usage not in ("ENCRYPT_DECRYPT", "SIGN_VERIFY"):
            found.append(f"key_usage is {usage}, not ENCRYPT_DECRYPT")
        if not signs_only and not is_true(attr(conf, "enable_key_rotation")):
            found.append("enable_key_rotation is not true")
        window = number(attr(conf, "deletion_window_in_days"))
        if window is not None and window < MIN_DELETION_WINDOW_DAYS:
            found.append(
                f"deletion_window_in_days is {shown(window)}, below {MIN_DELETION_WINDOW_DAYS}"
            )
        return found


check = KmsKeyAes256Rotated()
