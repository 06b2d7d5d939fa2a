"""The access-review record's facts (`access-review/1`): who reviewed, every decision with its
reason, and what the reviewer saw (findings, changes, reads), with the inputs' SHA-256.
Written by `access-review record`; read back by the next review and by the live check."""

from __future__ import annotations

from trustctl.records.facts.shape import Facts, Moment, Raw, Shape


class Decision(Shape):
    id: str
    principal: str
    resource: str
    level: str
    via: list[str]
    decision: str
    reason: str
    reviewer: str


class ReviewPeriod(Shape):
    start: Moment
    end: Moment


class AccessReviewFacts(Facts):
    KIND = "access-review"
    SCHEMA = "access-review/1"

    reviewers: list[str]
    decisions: list[Decision]
    counts: dict[str, int]
    findings: list[Raw]
    changes: Raw  # since the previous review: added, removed, widened, reduced
    reads: list[Raw]
    period: ReviewPeriod
    inputs: dict[str, Raw | None]  # review, roster, previous: each path and SHA-256
