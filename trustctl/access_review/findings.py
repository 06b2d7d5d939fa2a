"""What the review flags before anyone decides: each rule with the control it proves.

- iam-user: an IAM user exists (staff sign in through SSO; no long-lived passwords or keys);
- not-on-roster: a principal with production access, or someone who may assume a role, is not
  on the on-call roster;
- shared-principal: a person-like principal (IAM or SSO user, database login, Cloudflare member)
  with a generic name (admin, ops, shared, ...) that the roster does not declare a service;
- account-wide-trust: a role any principal of a whole account (or of any account) may assume;
- token-never-expires: a Cloudflare API token without an expiry;
- removal-not-done: a `remove` decision of the last recorded review whose access still exists;
- reduction-not-done: a `reduce` decision of the last recorded review whose access is unchanged
  (still there at the same or a wider level, through the same grants): a reduction that was
  decided and never made is as outstanding as a removal;
- reads-not-logged: no trail, or a trail without S3 data events (reads leave no trace).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trustctl.access_review.inventory import Access, level_rank
from trustctl.access_review.roster import Roster, principal_name, whole_account
from trustctl.report.results import Finding

GENERIC_WORDS = frozenset({
    "admin", "administrator", "root", "shared", "team", "ops", "devops", "sre", "support",
    "dev", "developer", "developers", "test", "tester", "guest", "user", "deploy", "deployer",
    "ci", "oncall", "prod", "production", "engineering", "eng", "info", "it", "sysadmin",
    "service", "default", "temp", "tmp", "generic", "postgres", "master", "backup", "readonly",
    "app", "api", "bot", "security", "infra", "platform", "staff", "common", "all",
})
PERSON_KINDS = frozenset({"iam-user", "sso-user", "db-role", "cloudflare-member"})
CONTROL_OF = {
    "iam-user": "STAFF-ACCESS", "not-on-roster": "STAFF-ACCESS",
    "shared-principal": "STAFF-ACCESS", "account-wide-trust": "STAFF-ACCESS",
    "token-never-expires": "STAFF-ACCESS", "removal-not-done": "ACCESS-REVIEW",
    "reduction-not-done": "ACCESS-REVIEW",
    "reads-not-logged": "ACCESS-LOGGED",
}


@dataclass(frozen=True)
class Flag:
    """One finding of the review, on one principal."""

    check: str
    principal: str
    message: str

    @property
    def control(self) -> str:
        return CONTROL_OF[self.check]

    def to_finding(self) -> Finding:
        return Finding(self.message, check_id=f"access-review:{self.check}",
                       resource=self.principal)

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "control": self.control, "principal": self.principal,
                "message": self.message}


def flags(accesses: Iterable[Access], roster: Roster,
          cuts: Iterable[dict[str, Any]] = (), not_logged: Iterable[str] = ()) -> list[Flag]:
    """Every flag over the accesses, sorted and without duplicates."""
    accesses = list(accesses)
    found: set[Flag] = set()
    for access in accesses:
        found.update(_principal_flags(access, roster))
        found.update(_trust_flags(access, roster))
    found.update(cuts_not_done(accesses, cuts))
    found.update(Flag("reads-not-logged", "cloudtrail", reason) for reason in not_logged)
    return sorted(found, key=lambda f: (f.check, f.principal, f.message))


def cuts_not_done(accesses: Iterable[Access], cuts: Iterable[dict[str, Any]]) -> list[Flag]:
    """A flag for each access a recorded review decided to remove that is still there, and
    each it decided to reduce that is unchanged."""
    present = {a.id: a for a in accesses}
    found = []
    for row in cuts:
        access = present.get(row["id"])
        if access is None:
            continue
        decided = f"(review {row['review_id']}, by {row['reviewer']})"
        if row["decision"] == "remove":
            found.append(Flag("removal-not-done", row["principal"],
                              f"{row['id']} was to be removed {decided} and is still present"))
        elif _unchanged(access, row):
            found.append(Flag("reduction-not-done", row["principal"],
                              f"{row['id']} was to be reduced {decided} and is unchanged "
                              f"({access.level})"))
    return found


def _unchanged(access: Access, row: dict[str, Any]) -> bool:
    """Still at the decided row's level or wider, through the same grants (when the record
    holds them: records before 2026-12 kept the level only)."""
    if level_rank(access.level) < level_rank(row["level"]):
        return False
    return "via" not in row or sorted(access.via) == sorted(row["via"] or [])


def is_generic(principal: str) -> bool:
    """True when every word of the principal's own name is a generic one (ops, shared-admin)."""
    name = principal.rsplit("/", 1)[-1].split(":", 1)[-1].split("@", 1)[0].lower()
    words = [w for w in re.split(r"[^a-z]+", name) if w]
    return bool(words) and all(w in GENERIC_WORDS for w in words)


def _principal_flags(access: Access, roster: Roster) -> list[Flag]:
    who, entry = access.principal, roster.entry_for(access.principal)
    found = []
    if access.kind == "iam-user":
        found.append(Flag("iam-user", who, f"IAM user {who.removeprefix('aws:user/')} exists: "
                                           "staff sign in through SSO with MFA"))
    if entry is None:
        found.append(Flag("not-on-roster", who, f"{who} has production access and is not on "
                                                f"the on-call roster"))
    if access.kind in PERSON_KINDS and is_generic(who) and (entry is None
                                                            or entry.kind != "service"):
        found.append(Flag("shared-principal", who, f"{who} has a shared or generic name: "
                                                   "production access must be named"))
    if access.kind == "cloudflare-token" and "never expires" in access.notes:
        found.append(Flag("token-never-expires", who, f"{who} never expires"))
    return found


def _trust_flags(access: Access, roster: Roster) -> list[Flag]:
    found = []
    for trust in access.trust:
        if trust.type != "AWS":
            continue
        if whole_account(trust.principal):
            found.append(Flag("account-wide-trust", access.principal,
                              f"{access.principal} may be assumed by any principal of "
                              f"{trust.principal}"))
        elif roster.entry_for(trust.principal) is None:
            found.append(Flag("not-on-roster", access.principal,
                              f"{access.principal} may be assumed by "
                              f"{principal_name(trust.principal)}, who is not on the on-call "
                              "roster"))
    return found
