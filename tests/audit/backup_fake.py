"""A local AWS Backup endpoint (rest-json) for what moto does not implement: backup selections,
recovery points and restore-testing plans (plus the vault and plan listings they hang off).
Reached through boto3's own per-service override, AWS_ENDPOINT_URL_BACKUP, while every other
service goes to moto."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.audit.json_server import serve_json


class FakeBackup:
    def __init__(self, vault: str, key_arn: str, bucket: str) -> None:
        now = time.time()
        self.vaults = [{"BackupVaultName": vault, "EncryptionKeyArn": key_arn,
                        "BackupVaultArn": f"arn:aws:backup:us-east-1:123456789012:vault:{vault}",
                        "Locked": True, "MinRetentionDays": 35, "LockDate": now}]
        self.plan = {"BackupPlanName": "daily", "Rules": [{
            "RuleName": "daily", "TargetBackupVaultName": vault,
            "ScheduleExpression": "cron(0 3 * * ? *)", "Lifecycle": {"DeleteAfterDays": 35}}]}
        self.selection = {"SelectionName": "file-storage", "IamRoleArn": "arn:aws:iam::1:role/b",
                          "Resources": [f"arn:aws:s3:::{bucket}"]}
        self.points = [{"RecoveryPointArn": f"arn:aws:backup:us-east-1:123456789012:"
                                            f"recovery-point:{bucket}-{age}",
                        "Status": "COMPLETED", "IsEncrypted": True, "EncryptionKeyArn": key_arn,
                        "CreationDate": now - age * 3600} for age in (3, 27)]
        self.restore_testing = [{"RestoreTestingPlanName": "monthly",
                                 "RestoreTestingPlanArn": "arn:aws:backup:::restore-testing"}]
        self._server = serve_json(self._route)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def _route(self, path: str, headers: object) -> tuple[int, Any]:
        body = self.answer(path.split("?")[0])
        return (200, body) if body is not None else (404, {"message": f"no route {path}"})

    def answer(self, path: str) -> dict[str, Any] | None:
        if path == "/backup-vaults/":
            return {"BackupVaultList": self.vaults}
        if path == "/backup/plans/":
            return {"BackupPlansList": [{"BackupPlanId": "plan-1", "BackupPlanName": "daily"}]}
        if path == "/backup/plans/plan-1/":
            return {"BackupPlanId": "plan-1", "BackupPlan": self.plan}
        if path == "/backup/plans/plan-1/selections/":
            return {"BackupSelectionsList": [{"SelectionId": "sel-1", "BackupPlanId": "plan-1"}]}
        if path == "/backup/plans/plan-1/selections/sel-1":
            return {"SelectionId": "sel-1", "BackupPlanId": "plan-1",
                    "BackupSelection": self.selection}
        if re.fullmatch(r"/backup-vaults/[^/]+/recovery-points/", path):
            return {"RecoveryPoints": self.points}
        if path == "/restore-testing/plans":
            return {"RestoreTestingPlans": self.restore_testing}
        return None

    def __enter__(self) -> FakeBackup:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
