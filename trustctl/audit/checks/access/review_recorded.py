"""ACCESS-REVIEW: the quarter's access review is recorded (at most 92 days old), none of its
`remove` decisions is still in force and none of its `reduce` decisions is unmade, in live
state."""

from trustctl.access_review.live_check import CHECK_ID
from trustctl.audit.access_reader import AccessReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.report.results import Status


@live_check(
    id=CHECK_ID, area="access",
    name="A quarterly access review is recorded and its removals and reductions are made",
    risk="People keep production access a review decided they no longer need, or nobody has "
         "looked at who holds it for more than a quarter.",
    remediation="Run `trustctl access-review prepare`, decide every row, record it with "
                "`trustctl access-review record`, and remove or reduce what was decided.",
)
def check(reader: AccessReader, out: Outcome) -> None:
    result = reader.judge()
    out.facts.update(reader.describe())
    if result.status is Status.FAIL:
        for finding in result.findings:
            out.fail(finding.resource or str(reader.store), finding.message)
    elif result.status is Status.ERROR:
        out.unreadable += [finding.message for finding in result.findings]
