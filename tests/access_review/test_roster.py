"""The on-call roster: loading, patterns, ARNs, whole-account trust."""

from __future__ import annotations

import pytest

from trustctl.access_review import roster
from trustctl.errors import InputError


def test_the_repository_roster_loads_and_names_people_and_services():
    loaded = roster.load()
    assert loaded.path == "policies/oncall.yaml"
    assert {e.kind for e in loaded.entries} == {"person", "service"}
    assert loaded.entry_for("aws:role/claver-prod-backup-writer").name == "backup runner"


def test_trusted_arns_match_by_principal_name(the_roster):
    assert the_roster.entry_for("arn:aws:iam::123456789012:role/oncall-alice").name == \
        "Alice Martin"
    assert the_roster.entry_for("arn:aws:sts::123456789012:assumed-role/oncall-alice/s") \
        .name == "Alice Martin"
    assert the_roster.entry_for("arn:aws:iam::123456789012:role/oncall-eve") is None


@pytest.mark.parametrize(("principal", "whole"), [
    ("*", True), ("123456789012", True), ("arn:aws:iam::123456789012:root", True),
    ("arn:aws:iam::123456789012:role/oncall-alice", False), ("backup.amazonaws.com", False)])
def test_whole_account_principals(principal, whole):
    assert roster.whole_account(principal) is whole


@pytest.mark.parametrize("text", [
    "people:\n  - name: x\n",
    "services:\n  - name: svc\n    principals: [aws:role/x]\n",
    "people: [oops",
])
def test_a_bad_roster_is_refused_with_one_line(tmp_path, text):
    path = tmp_path / "oncall.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        roster.load(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)
