"""Which AWS accounts one audit covers: named roles, or every active account of the
Organization (a read-only role of the same name in each), split by --shard K/N so a CI matrix
can spread a large organization over machines, each writing its own record."""

from __future__ import annotations

from trustctl.audit.aws_reader import AwsReader, AwsSettings
from trustctl.audit.live_check import CouldNotRead
from trustctl.errors import DependencyError, InputError


def role_arns(settings: AwsSettings, named: tuple[str, ...],
              organization_role: str | None) -> list[str]:
    """The named role ARNs plus, with organization_role, that role in every active account."""
    found = set(named)
    if organization_role:
        reader = AwsReader(settings)
        try:
            listed = reader.pages("organizations", "list_accounts", "Accounts",
                                  "the organization")
        except CouldNotRead as exc:
            raise DependencyError(f"cannot list the organization's accounts: {exc}") from None
        finally:
            reader.close()
        found |= {f"arn:aws:iam::{a['Id']}:role/{organization_role}" for a in listed
                  if a.get("Status", "ACTIVE") == "ACTIVE"}
    return sorted(found)


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit()) or not 1 <= int(k) <= int(n):
        raise InputError(f"--shard {text}: want K/N with 1 <= K <= N, e.g. 2/4")
    return int(k), int(n)


def shard(roles: list[str], which: tuple[int, int] | None) -> list[str]:
    """Every N-th account from the K-th: stable, disjoint, and together all of them."""
    if which is None:
        return roles
    k, n = which
    return roles[k - 1::n]
