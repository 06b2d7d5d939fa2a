"""Attestations: the real ones validate and cover what no machine checks; bad ones, one line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from trustctl.errors import InputError
from trustctl.evidence.attestations import load_attestations

GOOD = {"control": "INCIDENT-72H", "statement": "runbook current", "attested_by": "CTO",
        "attested_on": "2026-10-01", "valid_until": "2027-03-31", "evidence": "wiki"}


def test_the_real_attestations_cover_what_no_machine_checks() -> None:
    attested = {a.control: a for a in load_attestations()}
    assert set(attested) == {"INCIDENT-72H", "CHANGE-CONTROL", "ACCESS-LOGGED", "SECURITY-TXT"}
    assert "72 hours" in attested["INCIDENT-72H"].statement
    assert "penetration test" in attested["SECURITY-TXT"].statement
    assert "bug-bounty" in attested["SECURITY-TXT"].statement
    assert "review" in attested["CHANGE-CONTROL"].statement
    assert "reason" in attested["ACCESS-LOGGED"].statement
    for a in attested.values():
        assert a.attested_on <= a.valid_until and a.attested_by and a.evidence


def test_expiry_is_by_date() -> None:
    [a] = [a for a in load_attestations() if a.control == "INCIDENT-72H"]
    assert not a.expired(a.valid_until)
    assert a.expired(a.valid_until + dt.timedelta(days=1))


@pytest.mark.parametrize(("change", "error"), [
    ({"attested_by": None}, "attested_by: missing or empty"),
    ({"statement": "  "}, "statement: missing or empty"),
    ({"control": "PEN-TEST"}, "control: unknown control id 'PEN-TEST'"),
    ({"valid_until": "next year"}, "valid_until: expected a YYYY-MM-DD date"),
    ({"attested_on": "2027-04-01"}, "valid_until: before attested_on"),
])
def test_a_bad_attestation_is_one_line_naming_file_and_field(tmp_path: Path, change: dict,
                                                             error: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**GOOD, **change}))
    with pytest.raises(InputError) as raised:
        load_attestations(tmp_path)
    assert str(raised.value) == f"{path}: {error}"


def test_a_good_attestation_loads(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(GOOD))
    [a] = load_attestations(tmp_path)
    assert (a.file, a.valid_until) == ("good.yaml", dt.date(2027, 3, 31))
