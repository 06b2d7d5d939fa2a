"""ENC-AT-REST: every enabled customer-managed symmetric KMS key rotates its material."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.catalog import page_figures


@live_check(
    id="AUD_AWS_1", area="aws",
    name="Customer-managed KMS keys have automatic rotation on",
    risk="A key that never rotates keeps protecting data long after it may have leaked.",
    remediation="Enable rotation on every customer-managed key: "
                "aws kms enable-key-rotation --key-id KEY --rotation-period-in-days "
                f"{page_figures().key_rotation_days}.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    keys = aws.kms_keys()
    customer = 0
    for key in keys:
        with out.reading():
            meta = key.get("metadata")
            if meta["KeyManager"] != "CUSTOMER" or meta["KeyState"] != "Enabled":
                continue
            if meta.get("KeySpec") != "SYMMETRIC_DEFAULT":
                continue  # AWS rotates only symmetric encryption keys
            customer += 1
            if not key.get("rotation"):
                out.fail(key.name, "automatic key rotation is off")
    out.facts.update(keys=len(keys), customer_symmetric_keys=customer)
    if not customer:
        out.fail(None, "no enabled customer-managed key: data is not under our own keys")
