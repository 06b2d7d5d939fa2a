"""Claver production, as declared infrastructure: each component keeps named promises.

Config is read and validated once (stack_config); the components are built in dependency
order: roles before the keys whose policies name them, keys before what they encrypt.
"""

import pulumi
import stack_config
from components.access import StaffAccess
from components.audit_trail import AuditTrail, trail_name
from components.backups import Backups
from components.edge import Edge
from components.keys import BACKUP_ENCRYPTION_CONTEXT_KEYS, Keys
from components.network import Network
from components.storage import Storage

config = stack_config.load()

access = StaffAccess("access", config)
keys = Keys(
    "keys",
    config,
    aws_backup_role_arn=access.aws_backup_role.arn,
    backup_writer_role_arn=access.backup_writer_role.arn,
    trail_name=trail_name(config),
)
storage = Storage("storage", config, data_key_arn=keys.data_key.arn)
network = Network("network", config, audit_key_arn=keys.audit_key.arn)
backups = Backups(
    "backups",
    config,
    backup_key_arn=keys.backup_key.arn,
    aws_backup_role=access.aws_backup_role,
    backup_writer_role=access.backup_writer_role,
    file_storage=storage.customer_files.bucket,
    access_log_bucket=storage.access_logs.bucket,
)
audit_trail = AuditTrail(
    "audit-trail",
    config,
    audit_key_arn=keys.audit_key.arn,
    watched_buckets=[storage.customer_files.bucket, backups.database_backups.bucket],
    access_log_bucket=storage.access_logs.bucket,
)
edge = Edge("edge", config)

pulumi.export("customerFilesBucket", storage.customer_files.bucket.id)
pulumi.export("databaseBackupBucket", backups.database_backups.bucket.id)
pulumi.export("backupKeyArn", keys.backup_key.arn)
pulumi.export("backupEncryptionContextKeys", list(BACKUP_ENCRYPTION_CONTEXT_KEYS))
pulumi.export("backupWriterRoleArn", access.backup_writer_role.arn)
pulumi.export("backupVaultName", backups.vault.name)
pulumi.export("trailArn", audit_trail.trail.arn)
pulumi.export("privateSubnetIds", [s.id for s in network.subnets])
