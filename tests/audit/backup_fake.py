"""A local AWS Backup endpoint (rest-json) for what moto does not implement: backup selections,
recovery points and restore-testing plans (plus the vault and plan listings they hang off).
Reached through boto3's own per-service override, AWS_ENDPOINT_URL_BACKUP, while every other
service goes to moto."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = fake.answer(self.path.split("?")[0])
                raw = json.dumps(body if body is not None else {
                    "message": f"no route {self.path}"}).encode()
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

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
