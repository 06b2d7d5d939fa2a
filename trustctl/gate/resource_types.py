"""Which Terraform resource type each Pulumi type token is, and how its property names differ.

pulumi-aws and pulumi-cloudflare bridge Terraform providers, so checkov's Terraform checks apply
once a resource is spelled the Terraform way. The bridge renames types irregularly
(`aws:rds/instance:Instance` is `aws_db_instance`) and pluralises list blocks (`rules` is TF's
`rule`), so the table is explicit: a type missing here is reported as unchecked, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Pulumi packages whose resources declare no infrastructure a control could be about.
INERT_PACKAGES = frozenset({"null", "random", "time"})

# Pulumi resources the engine itself keeps; they are not declared infrastructure.
ENGINE_TYPE_PREFIXES = ("pulumi:pulumi:Stack", "pulumi:providers:")

# Map-valued properties: their keys are data (tag names, header names), never renamed.
MAP_PROPERTIES = frozenset({"tags", "tagsAll", "variables", "headers", "triggers"})


@dataclass(frozen=True)
class TfType:
    """A Terraform resource type and the Pulumi property names that are not plain camelCase."""

    name: str
    renames: dict[str, str] = field(default_factory=dict)  # Pulumi name -> TF name, any depth

    @property
    def provider(self) -> str:
        return self.name.split("_", 1)[0]

    @property
    def nests_blocks(self) -> bool:
        """SDKv2 providers (aws) write nested blocks as lists; cloudflare v5 uses objects."""
        return self.provider == "aws"


def _aws(name: str, **renames: str) -> TfType:
    return TfType(name, dict(renames))


_BUCKET = _aws(
    "aws_s3_bucket",
    serverSideEncryptionConfigurations="server_side_encryption_configuration",
    rules="rule",
    applyServerSideEncryptionByDefaults="apply_server_side_encryption_by_default",
    lifecycleRules="lifecycle_rule",
    versionings="versioning",
    loggings="logging",
    corsRules="cors_rule",
    grants="grant",
    websites="website",
    replicationConfigurations="replication_configuration",
    objectLockConfigurations="object_lock_configuration",
    transitions="transition",
    noncurrentVersionTransitions="noncurrent_version_transition",
    expirations="expiration",
    noncurrentVersionExpirations="noncurrent_version_expiration",
)
_SSE = _aws("aws_s3_bucket_server_side_encryption_configuration", rules="rule")
_VERSIONING = _aws("aws_s3_bucket_versioning")
_LIFECYCLE = _aws(
    "aws_s3_bucket_lifecycle_configuration",
    rules="rule",
    transitions="transition",
    noncurrentVersionTransitions="noncurrent_version_transition",
)
_OBJECT_LOCK = _aws("aws_s3_bucket_object_lock_configuration")
_LOGGING = _aws("aws_s3_bucket_logging")
_ACL = _aws("aws_s3_bucket_acl")

TF_TYPES: dict[str, TfType] = {
    # keys
    "aws:kms/key:Key": _aws("aws_kms_key"),
    "aws:kms/alias:Alias": _aws("aws_kms_alias"),
    "aws:kms/keyPolicy:KeyPolicy": _aws("aws_kms_key_policy"),
    "aws:kms/grant:Grant": _aws("aws_kms_grant"),
    # storage
    "aws:s3/bucket:Bucket": _BUCKET,
    "aws:s3/bucketV2:BucketV2": _BUCKET,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _SSE,
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2":
        _SSE,
    "aws:s3/bucketVersioning:BucketVersioning": _VERSIONING,
    "aws:s3/bucketVersioningV2:BucketVersioningV2": _VERSIONING,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _LIFECYCLE,
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": _LIFECYCLE,
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": _OBJECT_LOCK,
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2": _OBJECT_LOCK,
    "aws:s3/bucketLogging:BucketLogging": _LOGGING,
    "aws:s3/bucketLoggingV2:BucketLoggingV2": _LOGGING,
    "aws:s3/bucketAcl:BucketAcl": _ACL,
    "aws:s3/bucketAclV2:BucketAclV2": _ACL,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
        _aws("aws_s3_bucket_public_access_block"),
    "aws:s3/bucketPolicy:BucketPolicy": _aws("aws_s3_bucket_policy"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
        _aws("aws_s3_bucket_ownership_controls"),
    "aws:s3/bucketNotification:BucketNotification": _aws(
        "aws_s3_bucket_notification",
        lambdaFunctions="lambda_function", queues="queue", topics="topic",
    ),
    # backups
    "aws:backup/vault:Vault": _aws("aws_backup_vault"),
    "aws:backup/plan:Plan": _aws(
        "aws_backup_plan",
        rules="rule", copyActions="copy_action", advancedBackupSettings="advanced_backup_setting",
    ),
    "aws:backup/selection:Selection": _aws(
        "aws_backup_selection", selectionTags="selection_tag", conditions="condition",
    ),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration":
        _aws("aws_backup_vault_lock_configuration"),
    "aws:backup/vaultPolicy:VaultPolicy": _aws("aws_backup_vault_policy"),
    "aws:backup/framework:Framework": _aws(
        "aws_backup_framework", controls="control", inputParameters="input_parameter",
    ),
    "aws:backup/reportPlan:ReportPlan": _aws("aws_backup_report_plan"),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": _aws("aws_backup_restore_testing_plan"),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection":
        _aws("aws_backup_restore_testing_selection"),
    # network
    "aws:ec2/vpc:Vpc": _aws("aws_vpc"),
    "aws:ec2/subnet:Subnet": _aws("aws_subnet"),
    "aws:ec2/routeTable:RouteTable": _aws("aws_route_table", routes="route"),
    "aws:ec2/route:Route": _aws("aws_route"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _aws("aws_route_table_association"),
    "aws:ec2/defaultRouteTable:DefaultRouteTable": _aws("aws_default_route_table", routes="route"),
    "aws:ec2/internetGateway:InternetGateway": _aws("aws_internet_gateway"),
    "aws:ec2/natGateway:NatGateway": _aws("aws_nat_gateway"),
    "aws:ec2/eip:Eip": _aws("aws_eip"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _aws("aws_vpc_endpoint"),
    "aws:ec2/flowLog:FlowLog": _aws("aws_flow_log"),
    "aws:ec2/networkAcl:NetworkAcl": _aws("aws_network_acl"),
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": _aws("aws_default_network_acl"),
    "aws:ec2/securityGroup:SecurityGroup": _aws("aws_security_group"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _aws("aws_default_security_group"),
    "aws:ec2/securityGroupRule:SecurityGroupRule": _aws("aws_security_group_rule"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        _aws("aws_vpc_security_group_ingress_rule"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
        _aws("aws_vpc_security_group_egress_rule"),
    "aws:ec2/instance:Instance": _aws(
        "aws_instance", ebsBlockDevices="ebs_block_device",
        ephemeralBlockDevices="ephemeral_block_device", networkInterfaces="network_interface",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": _aws(
        "aws_launch_template", blockDeviceMappings="block_device_mappings",
    ),
    # audit trail
    "aws:cloudtrail/trail:Trail": _aws(
        "aws_cloudtrail",
        eventSelectors="event_selector", dataResources="data_resource",
        advancedEventSelectors="advanced_event_selector", fieldSelectors="field_selector",
        insightSelectors="insight_selector",
    ),
    "aws:cloudwatch/logGroup:LogGroup": _aws("aws_cloudwatch_log_group"),
    # access
    "aws:iam/role:Role": _aws("aws_iam_role", inlinePolicies="inline_policy"),
    "aws:iam/rolePolicy:RolePolicy": _aws("aws_iam_role_policy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _aws("aws_iam_role_policy_attachment"),
    "aws:iam/policy:Policy": _aws("aws_iam_policy"),
    "aws:iam/policyAttachment:PolicyAttachment": _aws("aws_iam_policy_attachment"),
    "aws:iam/user:User": _aws("aws_iam_user"),
    "aws:iam/userPolicy:UserPolicy": _aws("aws_iam_user_policy"),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": _aws("aws_iam_user_policy_attachment"),
    "aws:iam/userLoginProfile:UserLoginProfile": _aws("aws_iam_user_login_profile"),
    "aws:iam/accessKey:AccessKey": _aws("aws_iam_access_key"),
    "aws:iam/group:Group": _aws("aws_iam_group"),
    "aws:iam/groupMembership:GroupMembership": _aws("aws_iam_group_membership"),
    "aws:iam/groupPolicy:GroupPolicy": _aws("aws_iam_group_policy"),
    "aws:iam/instanceProfile:InstanceProfile": _aws("aws_iam_instance_profile"),
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": _aws("aws_iam_account_password_policy"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        _aws("aws_iam_openid_connect_provider", clientIdLists="client_id_list",
             thumbprintLists="thumbprint_list"),
    # the Supabase project's own settings (infra/components/supabase_project.py, a dynamic
    # resource): allowed_cidrs and ssl_enforced are already TF-shaped
    "pulumi-python:dynamic/supabase:ProjectSettings": TfType("supabase_project_settings"),
    # databases (any a change could add)
    "aws:rds/instance:Instance": _aws("aws_db_instance"),
    "aws:rds/cluster:Cluster": _aws("aws_rds_cluster"),
    "aws:rds/clusterInstance:ClusterInstance": _aws("aws_rds_cluster_instance"),
    "aws:rds/globalCluster:GlobalCluster": _aws("aws_rds_global_cluster"),
    "aws:rds/subnetGroup:SubnetGroup": _aws("aws_db_subnet_group"),
    "aws:rds/parameterGroup:ParameterGroup": _aws("aws_db_parameter_group", parameters="parameter"),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup":
        _aws("aws_rds_cluster_parameter_group", parameters="parameter"),
    "aws:rds/optionGroup:OptionGroup": _aws("aws_db_option_group", options="option"),
    "aws:redshift/cluster:Cluster": _aws("aws_redshift_cluster"),
    "aws:elasticache/cluster:Cluster": _aws("aws_elasticache_cluster"),
    "aws:elasticache/replicationGroup:ReplicationGroup": _aws("aws_elasticache_replication_group"),
    "aws:elasticache/subnetGroup:SubnetGroup": _aws("aws_elasticache_subnet_group"),
    "aws:docdb/cluster:Cluster": _aws("aws_docdb_cluster"),
    "aws:docdb/clusterInstance:ClusterInstance": _aws("aws_docdb_cluster_instance"),
    "aws:neptune/cluster:Cluster": _aws("aws_neptune_cluster"),
    "aws:opensearch/domain:Domain": _aws("aws_opensearch_domain"),
    "aws:dynamodb/table:Table": _aws(
        "aws_dynamodb_table", attributes="attribute",
        globalSecondaryIndexes="global_secondary_index", replicas="replica",
    ),
    "aws:memorydb/cluster:Cluster": _aws("aws_memorydb_cluster"),
    "aws:memorydb/subnetGroup:SubnetGroup": _aws("aws_memorydb_subnet_group"),
    "aws:redshift/subnetGroup:SubnetGroup": _aws("aws_redshift_subnet_group"),
    "aws:redshiftserverless/namespace:Namespace": _aws("aws_redshiftserverless_namespace"),
    "aws:redshiftserverless/workgroup:Workgroup": _aws("aws_redshiftserverless_workgroup"),
    "aws:docdb/subnetGroup:SubnetGroup": _aws("aws_docdb_subnet_group"),
    "aws:neptune/clusterInstance:ClusterInstance": _aws("aws_neptune_cluster_instance"),
    "aws:neptune/subnetGroup:SubnetGroup": _aws("aws_neptune_subnet_group"),
    "aws:elasticache/serverlessCache:ServerlessCache": _aws("aws_elasticache_serverless_cache"),
    "aws:elasticsearch/domain:Domain": _aws("aws_elasticsearch_domain"),
    "aws:dms/replicationInstance:ReplicationInstance": _aws("aws_dms_replication_instance"),
    "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup":
        _aws("aws_dms_replication_subnet_group"),
    "aws:lightsail/database:Database": _aws("aws_lightsail_database"),
    # other stores a key may encrypt
    "aws:ebs/volume:Volume": _aws("aws_ebs_volume"),
    "aws:efs/fileSystem:FileSystem": _aws("aws_efs_file_system"),
    "aws:ssm/parameter:Parameter": _aws("aws_ssm_parameter"),
    "aws:kinesis/stream:Stream": _aws("aws_kinesis_stream"),
    "aws:s3/bucketObjectv2:BucketObjectv2": _aws("aws_s3_object"),
    # compute, load balancing, DNS, certificates, messaging
    "aws:lambda/function:Function": _aws("aws_lambda_function"),
    "aws:lambda/permission:Permission": _aws("aws_lambda_permission"),
    "aws:lb/loadBalancer:LoadBalancer": _aws(
        "aws_lb", subnetMappings="subnet_mapping",
    ),
    "aws:lb/listener:Listener": _aws("aws_lb_listener", defaultActions="default_action"),
    "aws:lb/listenerRule:ListenerRule": _aws(
        "aws_lb_listener_rule", actions="action", conditions="condition",
    ),
    "aws:lb/targetGroup:TargetGroup": _aws("aws_lb_target_group"),
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": _aws("aws_lb_target_group_attachment"),
    "aws:route53/record:Record": _aws("aws_route53_record", aliases="alias"),
    "aws:route53/zone:Zone": _aws("aws_route53_zone", vpcs="vpc"),
    "aws:acm/certificate:Certificate": _aws("aws_acm_certificate"),
    "aws:acm/certificateValidation:CertificateValidation": _aws("aws_acm_certificate_validation"),
    "aws:sns/topic:Topic": _aws("aws_sns_topic"),
    "aws:sqs/queue:Queue": _aws("aws_sqs_queue"),
    "aws:secretsmanager/secret:Secret": _aws("aws_secretsmanager_secret"),
}


# pulumi-cloudflare pluralises a few TF v5 list attributes too.
CLOUDFLARE_RENAMES = {
    "cloudflare_notification_policy": {"emails": "email", "pagerduties": "pagerduty"},
}


def _cloudflare(token: str) -> TfType | None:
    """pulumi-cloudflare 6 keeps every resource in `index` under the TF v5 name, camelCased."""
    package, _, rest = token.partition(":")
    module_and_type, _, class_name = rest.partition(":")
    module, _, camel = module_and_type.partition("/")
    if package != "cloudflare" or module != "index" or not camel or not class_name:
        return None
    name = "cloudflare_" + snake_case(camel)
    return TfType(name, CLOUDFLARE_RENAMES.get(name, {}))


def tf_type(token: str) -> TfType | None:
    """The TF type of a Pulumi type token, or None when the gate does not know it."""
    return TF_TYPES.get(token) or _cloudflare(token)


def is_engine_resource(token: str) -> bool:
    return token.startswith(ENGINE_TYPE_PREFIXES)


def is_inert(token: str) -> bool:
    return token.split(":", 1)[0] in INERT_PACKAGES


def snake_case(camel: str) -> str:
    """`kmsMasterKeyId` -> `kms_master_key_id`; digits stay with their word (`ipv6CidrBlocks`)."""
    out: list[str] = []
    for i, ch in enumerate(camel):
        if ch.isupper() and i > 0 and (
            camel[i - 1].islower() or camel[i - 1].isdigit()
            or (i + 1 < len(camel) and camel[i + 1].islower() and camel[i - 1].isupper())
        ):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
