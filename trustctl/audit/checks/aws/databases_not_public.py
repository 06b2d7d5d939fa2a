"""NO-PUBLIC-DB: no database of any engine is publicly accessible."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_AWS_19", area="aws",
    name="No RDS, Aurora, DocumentDB, Neptune or Redshift database is publicly accessible",
    risk="A database gets a public address and is attacked directly from the internet.",
    remediation="Set PubliclyAccessible false (aws rds modify-db-instance "
                "--no-publicly-accessible; Redshift modify-cluster).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    databases = aws.databases()
    out.facts["databases"] = databases
    for db in databases:
        if db["public"]:
            out.fail(db["id"], f"{db['kind']} is publicly accessible")
