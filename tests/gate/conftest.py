"""The gate's session fixture: every input checked once, by one real checkov run."""

from __future__ import annotations

import pytest
from gate_support import Checked, check_all


@pytest.fixture(scope="session")
def checked() -> dict[str, Checked]:
    return check_all()
