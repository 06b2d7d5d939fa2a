"""A copy of the control catalog with one figure changed, for tests that show every flow follows
the catalog ($TRUSTCTL_CATALOG) rather than a figure written elsewhere."""

from __future__ import annotations

from pathlib import Path

import yaml

from trustctl.paths import CATALOG_PATH

CHANGED_RETENTION_DAYS = 36  # the page's 35, one day longer


def catalog_with_figure(folder: Path, control_id: str, figure: str, value: object) -> Path:
    """policies/controls.yaml with `figures[figure]` of `control_id` set to `value`."""
    doc = yaml.safe_load(CATALOG_PATH.read_text())
    (control,) = [c for c in doc["controls"] if c["id"] == control_id]
    assert figure in control["figures"], f"{control_id} has no figure {figure} to change"
    control["figures"][figure] = value
    path = folder / "controls.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def longer_retention(folder: Path) -> Path:
    return catalog_with_figure(folder, "BACKUP-DAILY-35D", "retention_days",
                               CHANGED_RETENTION_DAYS)
