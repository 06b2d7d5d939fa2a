"""`trustctl access-review prepare --sandbox` on the real sandbox, then a recorded review."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("access-review-home")
    try:
        yield home
    finally:
        trustctl(home, "sandbox", "down")


def trustctl(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRUSTCTL_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "trustctl.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_prepare_on_the_sandbox_and_record_the_review(home: Path, tmp_path: Path):
    review, evidence = tmp_path / "review.yaml", tmp_path / "evidence"
    prepare = ("access-review", "prepare", "--sandbox", "--out", str(review), "--evidence-dir",
               str(evidence))
    absent = trustctl(home, *prepare)  # a read-only command never starts a sandbox
    assert (absent.returncode, absent.stderr.splitlines()) == (2, [
        "trustctl: error: the sandbox is not up: start it with `trustctl sandbox up`"])
    assert not (home / "sandbox").exists()
    assert trustctl(home, "sandbox", "up").returncode == 0
    prepared = trustctl(home, *prepare)
    assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    assert "trustctl: access-review: reading AWS IAM" in prepared.stderr  # progress on stderr
    # nobody decided anything yet: the review is not a pass
    assert prepared.stdout.splitlines()[-1] == (
        "  controls STAFF-ACCESS pass, ACCESS-LOGGED pass, ACCESS-REVIEW awaiting decisions "
        "(then `trustctl access-review record`)")
    document = yaml.safe_load(review.read_text())
    assert document["sources"]["cloudflare"] == ("skipped: the sandbox has no Cloudflare "
                                                 "account or zone")
    principals = {row["principal"] for row in document["rows"]}
    assert principals == {
        "aws:role/claver-sandbox-on-call", "aws:role/claver-sandbox-backup-writer",
        "aws:role/claver-sandbox-aws-backup", "postgres:claver_app", "postgres:postgres"}

    for row in document["rows"]:
        row.update(decision="keep", reason="needed for the sandbox", reviewer="carol")
    review.write_text(yaml.safe_dump(document, sort_keys=False))
    recorded = trustctl(home, "access-review", "record", str(review), "--evidence-dir",
                        str(evidence), "--format", "json")
    assert recorded.returncode == 0, recorded.stderr
    assert json.loads(recorded.stdout)["controls"][0] == {
        "id": "ACCESS-REVIEW", "status": "pass", "checks": ["access-review:recorded"],
        "findings": []}
    [path] = evidence.glob("access-review-*.json")
    assert json.loads(path.read_text())["kind"] == "access-review"

    state = json.loads((home / "sandbox" / "state.json").read_text())["info"]
    passwords = [unquote(urlsplit(state[k]).password or "") for k in ("dsn", "app_dsn")]
    outputs = [prepared.stdout, prepared.stderr, recorded.stdout, recorded.stderr,
               review.read_text(), review.with_suffix(".md").read_text(),
               review.with_suffix(".html").read_text(), path.read_text()]
    assert all(p and not any(p in text for text in outputs) for p in passwords)
