"""Running `trustctl access-review` in-process against moto, Postgres and the Cloudflare API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from typer.testing import CliRunner

from access_review.cloudflare_api import ACCOUNT, TOKEN, CloudflareApi
from trustctl.aws import AwsTarget
from trustctl.cli import app


@dataclass
class Review:
    """Where one test's review, summary and records go, and how to reach its sources."""

    directory: Path
    roster: Path
    aws: AwsTarget | None = None
    dsn: str | None = None
    cloudflare: CloudflareApi | None = None

    @property
    def file(self) -> Path:
        return self.directory / "review.yaml"

    @property
    def evidence(self) -> Path:
        return self.directory / "evidence"

    def prepare(self, *args: str):
        options = ["--out", str(self.file), "--roster", str(self.roster),
                   "--evidence-dir", str(self.evidence)]
        env = {"TRUSTCTL_DATABASE_DSN": self.dsn, "CLOUDFLARE_API_TOKEN": None,
               "CLOUDFLARE_ACCOUNT_ID": None, "CLOUDFLARE_BASE_URL": None, "AWS_REGION": None,
               "AWS_DEFAULT_REGION": None, "AWS_ENDPOINT_URL": None,
               "TRUSTCTL_AWS_ENDPOINT": None}
        if self.aws:
            options += ["--region", self.aws.region, "--endpoint-url", self.aws.endpoint_url]
        if self.cloudflare:
            env.update(CLOUDFLARE_API_TOKEN=TOKEN, CLOUDFLARE_ACCOUNT_ID=ACCOUNT,
                       CLOUDFLARE_BASE_URL=self.cloudflare.url)
        return run("prepare", *options, *args, env=env)

    def record(self, *args: str):
        return run("record", str(self.file), "--evidence-dir", str(self.evidence), *args)

    def document(self) -> dict:
        return yaml.safe_load(self.file.read_text())

    def decide(self, decisions: dict[str, str], reviewer: str = "carol@claver.app") -> None:
        """Fill in every row: `decisions` by principal, keep for the rest."""
        document = self.document()
        for row in document["rows"]:
            row["decision"] = decisions.get(row["principal"], "keep")
            row["reason"] = f"quarterly review: {row['decision']}"
            row["reviewer"] = reviewer
        self.file.write_text(yaml.safe_dump(document, sort_keys=False))


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["access-review", *args], env=env)
