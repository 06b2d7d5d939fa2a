"""Which stack a run plans without --stack, in Pulumi's order: PULUMI_STACK, the stack
`pulumi stack select` recorded in the workspace settings, the only Pulumi.<stack>.yaml, prod.

The settings file is written where and as the Pulumi CLI writes it (pulumi/pulumi
sdk/go/common/workspace/workspace.go: `<PULUMI_HOME>/workspaces/<project>-<sha1 of the absolute
Pulumi.yaml path>-workspace.json`, JSON `{"stack": ...}`); the hash is spelled out here rather
than taken from the code under test.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from trustctl.errors import InputError
from trustctl.plan.project import default_stack


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "pulumi-home"))
    return folder


def _select(project: Path, stack: str) -> Path:
    digest = hashlib.sha1(str(project / "Pulumi.yaml").encode()).hexdigest()
    settings = project.parent / "pulumi-home" / "workspaces" / f"shop-{digest}-workspace.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"stack": stack}, indent=4))
    return settings


def test_the_selected_stack_wins_over_the_only_stack_file(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text("config: {}\n")
    assert default_stack(project) == ("dev", None)
    _select(project, "staging")
    assert default_stack(project) == ("staging", None)


def test_a_qualified_selection_names_its_stack_config(project: Path) -> None:
    _select(project, "acme/shop/prod-eu")
    assert default_stack(project) == ("prod-eu", None)


def test_pulumi_stack_wins_over_the_selection(project: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _select(project, "staging")
    monkeypatch.setenv("PULUMI_STACK", "qa")
    assert default_stack(project) == ("qa", None)


def test_another_projects_selection_is_not_used(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")  # same name, other path
    _select(other, "staging")
    stack, hint = default_stack(project)
    assert stack == "prod" and hint is not None and "PULUMI_STACK" in hint


def test_unreadable_settings_are_refused_naming_the_file(project: Path) -> None:
    settings = _select(project, "x")
    settings.write_text("{not json")
    with pytest.raises(InputError, match=r"workspace\.json: not Pulumi workspace settings"):
        default_stack(project)
