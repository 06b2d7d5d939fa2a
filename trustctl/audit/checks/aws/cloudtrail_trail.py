"""ACCESS-LOGGED: a multi-region trail is logging now, validated and KMS-encrypted."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_AWS_14", area="aws",
    name="A CloudTrail trail logs now, in every region, validated and KMS-encrypted",
    risk="API activity goes unrecorded, or the record can be altered or read unnoticed.",
    remediation="Keep a multi-region trail with log file validation and a KMS key, and "
                "make sure it is logging (aws cloudtrail start-logging).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    trails = aws.trails()
    out.facts["trails"] = {t["Name"]: _problems(t) for t in trails}
    if not trails:
        out.fail(None, "no CloudTrail trail")
    elif not any(not problems for problems in out.facts["trails"].values()):
        for name, problems in out.facts["trails"].items():
            out.fail(name, "; ".join(problems))


def _problems(trail: dict) -> list[str]:
    problems = [] if trail.get("IsLogging") else ["not logging"]
    if not trail.get("IsMultiRegionTrail"):
        problems.append("single-region")
    if not trail.get("LogFileValidationEnabled"):
        problems.append("log file validation off")
    if not trail.get("KmsKeyId"):
        problems.append("not KMS-encrypted")
    return problems
