"""The security page's figures that code enforces, written once.

The infrastructure (infra/stack_config.py, infra/components), the backup store, the drill and
the sandbox's stand-in for the infrastructure all read them here, so a stand-in cannot drift
from what is deployed. (The checkov checks in policies/ run in checkov's own environment and
state the figures they judge.)
"""

from __future__ import annotations

BACKUP_RETENTION_DAYS = 35  # "Backups. Daily, encrypted, kept 35 days."
BACKUP_LOCK_MODE = "COMPLIANCE"  # S3 Object Lock: nobody, root included, deletes early
KEY_ROTATION_DAYS = 365  # customer-managed KMS keys rotate yearly
