"""What counts as 'could not read' (an error entry) and what is a defect (it propagates)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from trustctl.access_review.inventory import Access, Inventory
from trustctl.errors import DependencyError


def test_service_refusals_and_our_errors_become_entries_with_passwords_hidden():
    inventory = Inventory()
    with inventory.reading("aws", "IAM roles"):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListRoles")
    with inventory.reading("database", "roles"):
        raise DependencyError("cannot connect to postgresql://u:hunter2@db/x: refused")
    assert [(e.source, e.what) for e in inventory.errors] == [("aws", "IAM roles"),
                                                              ("database", "roles")]
    assert "hunter2" not in inventory.errors[1].message


def test_a_defect_is_not_disguised_as_an_unread_source():
    inventory = Inventory()
    with pytest.raises(KeyError), inventory.reading("aws", "IAM roles"):
        raise KeyError("Arn")
    assert inventory.errors == []


def test_merged_keeps_one_row_per_principal_and_resource_at_the_widest_level():
    inventory = Inventory([Access("p", "db-role", "r", "read", ["a"]),
                           Access("p", "db-role", "r", "admin", ["b"]),
                           Access("a", "db-role", "r", "list")])
    assert [(a.principal, a.level, a.via) for a in inventory.merged()] == [
        ("a", "list", []), ("p", "admin", ["a", "b"])]
