"""Every EBS volume an EC2 instance, launch configuration or launch template attaches is
encrypted, its root volume included.

checkov's CKV_AWS_8 records nothing (UNKNOWN) for a root_block_device that omits `encrypted`,
which AWS then creates unencrypted (unless the account turns on EBS encryption by default, which a
plan cannot see), and it has no check of launch templates: both pass the control unseen.
"""

from typing import Any

from checkov.common.models.enums import CheckCategories
from trust_check_support import Metadata, TrustCheck, attr, is_true, items

METADATA = Metadata(
    severity="CRITICAL",
    risk="Customer data written to an instance's disks is stored unencrypted.",
    remediation=(
        "Declare root_block_device (and every ebs_block_device) with encrypted = true and "
        "kms_key_id = a customer-managed key; in a launch template, block_device_mappings "
        "with ebs.encrypted = true."
    ),
)

VOLUME_BLOCKS = ("root_block_device", "ebs_block_device")


class Ec2BlockStorageEncrypted(TrustCheck):
    def __init__(self) -> None:
        super().__init__(
            check_id="CKV_TRUST_45",
            name="Ensure every EBS volume of an EC2 instance or launch template is encrypted",
            category=CheckCategories.ENCRYPTION,
            resources=["aws_instance", "aws_launch_configuration", "aws_spot_instance_request",
                       "aws_launch_template"],
            metadata=METADATA,
        )

    def problems(self, conf: dict[str, list[Any]]) -> list[str] | None:
        if self.entity_type == "aws_launch_template":
            return _template_problems(conf)
        found = [] if items(conf, "root_block_device") else [
            "no root_block_device: the root volume is created unencrypted"]
        for block in VOLUME_BLOCKS:
            for volume in items(conf, block):
                if not is_true(attr(volume, "encrypted")):
                    found.append(f"{block} {_device(volume)}encrypted is not true")
        return found


def _template_problems(conf: dict[str, list[Any]]) -> list[str]:
    mappings = [m for m in items(conf, "block_device_mappings") if not attr(m, "virtual_name")]
    if not mappings:
        return ["no block_device_mappings: the root volume is encrypted only if the AMI's is"]
    return [f"block_device_mappings {_device(m)}ebs.encrypted is not true"
            for m in mappings if not is_true(attr(m, "ebs", "encrypted"))]


def _device(block: dict[str, Any]) -> str:
    name = attr(block, "device_name")
    return f"{name} " if name else ""


check = Ec2BlockStorageEncrypted()
