"""Claver production, as declared infrastructure: each component keeps named promises.

Config is read and validated once (stack_config); the components are built in dependency
order: roles before the keys whose policies name them, keys before what they encrypt.
"""

import pulumi
import stack_config
from components.access import StaffAccess
from components.audit_trail import AuditTrail, trail_name
from components.backup_replica import BackupReplica, replication_role_arn
from components.backups import Backups
from components.edge import Edge
from components.evidence import EvidenceStore
from components.keys import BACKUP_ENCRYPTION_CONTEXT_KEYS, BackupKeyUsers, Keys
from components.network import Network
from components.scheduled_jobs import JobTargets, ScheduledJobs
from components.storage import Storage
from components.supabase_project import SupabaseProject

config = stack_config.load()

access = StaffAccess("access", config)
jobs = ScheduledJobs("jobs", config)
keys = Keys(
    "keys",
    config,
    BackupKeyUsers(aws_backup=access.aws_backup_role.arn, backup_job=jobs.roles["backup"].arn,
                   drill_job=jobs.roles["drill"].arn, audit_job=jobs.roles["audit"].arn,
                   replication=replication_role_arn(config)),
    trail_name=trail_name(config),
)
storage = Storage("storage", config, data_key_arn=keys.data_key.arn)
network = Network("network", config, audit_key_arn=keys.audit_key.arn)
backups = Backups(
    "backups",
    config,
    backup_key_arn=keys.backup_key.arn,
    recovery_backup_key_arn=keys.backup_key_replica.arn,
    aws_backup_role=access.aws_backup_role,
    file_storage=storage.customer_files.bucket,
    access_log_bucket=storage.access_logs.bucket,
)
backup_replica = BackupReplica(
    "backup-replica",
    config,
    source=backups.database_backups,
    source_key_arn=keys.backup_key.arn,
    replica_key_arn=keys.backup_key_replica.arn,
)
audit_trail = AuditTrail(
    "audit-trail",
    config,
    audit_key_arn=keys.audit_key.arn,
    watched_buckets=[storage.customer_files.bucket, backups.database_backups.bucket,
                     backup_replica.replica.bucket],
    access_log_bucket=storage.access_logs.bucket,
)
evidence = EvidenceStore("evidence", config, audit_key_arn=keys.audit_key.arn,
                         access_log_bucket=storage.access_logs.bucket)
# the declared bucket's own ARN: its name ends in a suffix only `pulumi up` knows (bucket_prefix)
jobs.grant(JobTargets(
    backup_bucket_arn=backups.database_backups.bucket.arn,
    backup_key_arn=keys.backup_key.arn,
    evidence_bucket_arn=evidence.records.bucket.arn,
    replica_bucket_arn=backup_replica.replica.bucket.arn,
    replica_key_arn=keys.backup_key_replica.arn,
    evidence_signing_key_arn=evidence.signing_key.arn,
))
edge = Edge("edge", config)
supabase = SupabaseProject("supabase", config)

pulumi.export("customerFilesBucket", storage.customer_files.bucket.id)
pulumi.export("databaseBackupBucket", backups.database_backups.bucket.id)
pulumi.export("backupKeyArn", keys.backup_key.arn)
pulumi.export("backupEncryptionContextKeys", list(BACKUP_ENCRYPTION_CONTEXT_KEYS))
for job, role in jobs.roles.items():
    pulumi.export(f"{job}JobRoleArn", role.arn)  # the repository variables of the workflows
pulumi.export("backupVaultName", backups.vault.name)
pulumi.export("recoveryRegion", config.recovery_region)
pulumi.export("replicaBackupBucket", backup_replica.replica.bucket.id)
pulumi.export("backupKeyReplicaArn", keys.backup_key_replica.arn)
pulumi.export("recoveryVaultName", backups.recovery_vault.name)
pulumi.export("trailArn", audit_trail.trail.arn)
pulumi.export("evidenceBucket", evidence.records.bucket.id)
pulumi.export("evidenceSigningKeyArn", evidence.signing_key.arn)
pulumi.export("privateSubnetIds", [s.id for s in network.subnets])
