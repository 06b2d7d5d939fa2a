"""Cloudflare through its SDK against a local server answering like the API."""

from __future__ import annotations

from access_review.cloudflare_api import ACCOUNT, TOKEN, ZONE, member, token
from access_review.support import checks_on, judged, row
from trustctl.access_review import cloudflare_access
from trustctl.access_review.cloudflare_access import CloudflareTarget
from trustctl.access_review.inventory import Inventory

RESOURCE = f"cloudflare:account/{ACCOUNT}"


def collected(api, api_token: str = TOKEN) -> Inventory:
    inventory = Inventory()
    cloudflare_access.collect(CloudflareTarget(ACCOUNT, api_token, api.url), inventory)
    return inventory


def test_members_with_their_roles_across_pages(cloudflare_api, the_roster):
    cloudflare_api.members = [member("alice@claver.app", "Administrator"),
                              member("eve@claver.app", "Analytics Read"),
                              member("carol@claver.app", "DNS Write", two_factor=False)]
    accesses, flags = judged(collected(cloudflare_api), the_roster)
    assert row(accesses, "cloudflare:member/alice@claver.app", RESOURCE).level == "admin"
    assert row(accesses, "cloudflare:member/eve@claver.app", RESOURCE).level == "read"
    carol = row(accesses, "cloudflare:member/carol@claver.app", RESOURCE)
    assert carol.level == "write" and "two-factor authentication off" in carol.notes
    assert checks_on(flags, "cloudflare:member/alice@claver.app") == set()
    assert checks_on(flags, "cloudflare:member/eve@claver.app") == {"not-on-roster"}
    pages = [p for p in cloudflare_api.requests if p.endswith("/members")]
    assert len(pages) == 3  # two pages of members, then the empty page that ends the list


def test_member_permission_policies_count_like_roles(cloudflare_api, the_roster):
    cloudflare_api.members = [member("alice@claver.app", policies=(
        ("allow", "Zone Read"), ("allow", "DNS Write"), ("deny", "Super Administrator")))]
    accesses, _flags = judged(collected(cloudflare_api), the_roster)
    alice = row(accesses, "cloudflare:member/alice@claver.app", RESOURCE)
    assert alice.level == "write" and alice.via == ["policy DNS Write", "policy Zone Read"]


def test_a_shared_mailbox_member_is_a_finding(cloudflare_api, the_roster):
    cloudflare_api.members = [member("ops@claver.app", "Administrator")]
    _accesses, flags = judged(collected(cloudflare_api), the_roster)
    assert checks_on(flags, "cloudflare:member/ops@claver.app") == {"shared-principal",
                                                                     "not-on-roster"}


def test_tokens_with_scopes_expiry_and_last_use(cloudflare_api, the_roster):
    cloudflare_api.tokens = [
        token("pulumi-edge", "Zone Settings Write", "Zone WAF Write",
              expires_on="2027-03-01T00:00:00Z", last_used_on="2026-11-30T08:00:00Z"),
        token("old-ci", "Zone Read"),
        token("revoked", "API Tokens Write", status="disabled"),
    ]
    accesses, flags = judged(collected(cloudflare_api), the_roster)
    edge = row(accesses, "cloudflare:token/pulumi-edge", RESOURCE)
    assert edge.level == "write" and edge.notes == ["expires 2027-03-01T00:00:00+00:00"]
    assert edge.via == ["token t-pulumi-edge: Zone Settings Write",
                        "token t-pulumi-edge: Zone WAF Write"]
    assert edge.last_used == "2026-11-30T08:00:00+00:00"
    assert checks_on(flags, "cloudflare:token/pulumi-edge") == set()
    assert checks_on(flags, "cloudflare:token/old-ci") == {"token-never-expires",
                                                          "not-on-roster"}
    assert not [a for a in accesses if a.principal == "cloudflare:token/revoked"]


def test_a_refused_list_is_an_error_entry_and_the_rest_is_still_read(cloudflare_api):
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    cloudflare_api.denied = {f"/client/v4/accounts/{ACCOUNT}/tokens"}
    inventory = collected(cloudflare_api)
    assert [a.principal for a in inventory.accesses] == ["cloudflare:member/alice@claver.app"]
    [error] = inventory.errors
    assert error.what == f"API tokens of account {ACCOUNT}" and "403" in error.message


def test_a_wrong_token_is_an_error_entry_that_does_not_show_the_token(cloudflare_api):
    inventory = collected(cloudflare_api, api_token="wrong-token-abc123")
    assert len(inventory.errors) == 2 and inventory.accesses == []
    assert all("401" in e.message and "wrong-token-abc123" not in e.message
               for e in inventory.errors)


def test_the_account_of_the_audited_zone_is_reviewed(cloudflare_api):
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    inventory = Inventory()
    cloudflare_access.collect(CloudflareTarget("", TOKEN, cloudflare_api.url, ZONE), inventory)
    assert inventory.errors == []
    assert [a.id for a in inventory.merged()] == [
        f"cloudflare:member/alice@claver.app -> {RESOURCE}"]


def test_a_zone_the_api_does_not_know_is_an_error_not_an_empty_account(cloudflare_api):
    cloudflare_api.members = [member("alice@claver.app", "Administrator")]
    inventory = Inventory()
    cloudflare_access.collect(CloudflareTarget("", TOKEN, cloudflare_api.url, "0" * 32),
                              inventory)
    assert inventory.merged() == []
    assert [(e.source, e.what) for e in inventory.errors] == [
        ("cloudflare", f"the account of zone {'0' * 32}")]
