"""Which Terraform resource type each Pulumi type token is, and how its properties are spelled.

pulumi-aws and pulumi-cloudflare bridge Terraform providers, so checkov's Terraform checks apply
once a resource is spelled the Terraform way. The bridge names things mechanically, and the
installed SDKs carry what is needed to undo it:
- type: `aws:<module>/<resource>:<Class>` is `aws_<module prefix>_<resource, snake case>`
  (`aws:kms/key:Key` is `aws_kms_key`); a few modules use another prefix or none (`ec2` has
  none: `aws_vpc`), and TYPE_EXCEPTIONS lists the irregular rest (`aws:rds/instance:Instance`
  is `aws_db_instance`). pulumi-cloudflare keeps every resource in `index` under its TF name;
- properties: camelCase of the TF name, except that the bridge pluralises list blocks
  (`rules` is TF's `rule`). The SDK's input types keep the TF block name: the element type of
  `rules` on a backup plan is `PlanRuleArgs`, so the block is `rule`. PROPERTY_EXCEPTIONS lists
  the TF blocks that are plural themselves.
A type no installed SDK declares is reported as unchecked, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property

from trustctl.gate.sdk_schema import Field, ProviderSchema, provider_schema, type_name

# Pulumi resources the engine itself keeps; they are not declared infrastructure.
ENGINE_TYPE_PREFIXES = ("pulumi:pulumi:Stack", "pulumi:providers:")

# Map-valued properties when the SDK cannot say (a type it does not know): keys are data.
MAP_PROPERTIES = frozenset({"tags", "tagsAll", "variables", "headers", "triggers"})

BRIDGED_PACKAGES = frozenset({"aws", "cloudflare"})

# pulumi-aws modules whose TF names carry another prefix than the module's name ("" = none).
AWS_MODULE_PREFIXES = {
    "ec2": "", "cfg": "config", "directconnect": "dx", "costexplorer": "ce",
    "apigateway": "api_gateway", "elasticbeanstalk": "elastic_beanstalk",
    "directoryservice": "directory_service", "cloudhsmv2": "cloudhsm_v2", "amp": "prometheus",
    "ec2clientvpn": "ec2_client_vpn", "ec2transitgateway": "ec2_transit_gateway",
    "mediaconvert": "media_convert", "mediapackage": "media_package",
    "mediastore": "media_store", "cloudcontrol": "cloudcontrolapi",
    "serverlessrepository": "serverlessapplicationrepository", "ssoadmin": "ssoadmin",
    "cognito": "cognito", "route53recoverycontrol": "route53recoverycontrolconfig",
    "bedrockmodel": "bedrock_model", "mediapackagev2": "media_packagev2",
    "opensearchingest": "osis", "resourceexplorer": "resourceexplorer2",
    "servicediscovery": "service_discovery", "bcmdata": "bcmdataexports",
}

# Services the bridge folded into another module: the resource name starts with the
# sub-service (`aws:lex/v2modelsBot:V2modelsBot` is `aws_lexv2models_bot`).
AWS_SUBSERVICES = {
    "bedrock": ("agentcore", "agent"), "chime": ("sdkvoice",), "lex": ("v2models",),
    "opensearch": ("serverless",), "servicecatalog": ("appregistry",),
    "cloudfront": ("keyvaluestore",), "pinpoint": ("smsvoicev2",), "route53": ("profiles",),
    "ssm": ("quicksetup", "contacts"), "docdb": ("elastic",),
}

# ec2 resources whose TF name keeps the `ec2_` prefix (most ec2 resources have none).
AWS_EC2_PREFIXED = frozenset({
    "availabilityZoneGroup", "capacityBlockReservation", "capacityReservation",
    "carrierGateway", "fleet", "imageBlockPublicAccess", "instanceMetadataDefaults",
    "localGatewayRoute", "localGatewayRouteTableVpcAssociation", "managedPrefixList",
    "managedPrefixListEntry", "networkInsightsAnalysis", "networkInsightsPath",
    "serialConsoleAccess", "subnetCidrReservation", "tag", "trafficMirrorFilter",
    "trafficMirrorFilterRule", "trafficMirrorSession", "trafficMirrorTarget",
    "defaultCreditSpecification", "instanceState", "transitGatewayPeeringAttachmentAccepter",
})

# Pulumi type tokens whose TF name the rule above does not give.
TYPE_EXCEPTIONS = {
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/optionGroup:OptionGroup": "aws_db_option_group",
    "aws:rds/snapshot:Snapshot": "aws_db_snapshot",
    "aws:rds/snapshotCopy:SnapshotCopy": "aws_db_snapshot_copy",
    "aws:rds/eventSubscription:EventSubscription": "aws_db_event_subscription",
    "aws:rds/proxy:Proxy": "aws_db_proxy",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "aws_db_proxy_default_target_group",
    "aws:rds/proxyEndpoint:ProxyEndpoint": "aws_db_proxy_endpoint",
    "aws:rds/proxyTarget:ProxyTarget": "aws_db_proxy_target",
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication":
        "aws_db_instance_automated_backups_replication",
    "aws:rds/roleAssociation:RoleAssociation": "aws_db_instance_role_association",
    "aws:s3/bucketObject:BucketObject": "aws_s3_bucket_object",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:codepipeline/pipeline:Pipeline": "aws_codepipeline",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
    "aws:elb/loadBalancer:LoadBalancer": "aws_elb",
    "aws:ec2/dedicatedHost:DedicatedHost": "aws_ec2_host",
    "aws:ec2/securityGroupAssociation:SecurityGroupAssociation":
        "aws_vpc_endpoint_security_group_association",
    "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions":
        "aws_vpc_peering_connection_options",
    "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment":
        "aws_network_interface_sg_attachment",
    "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple":
        "aws_vpc_endpoint_service_allowed_principal",
    "aws:ec2transitgateway/instanceState:InstanceState": "aws_ec2_instance_state",
    "aws:cfg/rule:Rule": "aws_config_config_rule",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:iam/sshKey:SshKey": "aws_iam_user_ssh_key",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
    "aws:autoscaling/tag:Tag": "aws_autoscaling_group_tag",
    "aws:apigateway/response:Response": "aws_api_gateway_gateway_response",
    "aws:appsync/dataSource:DataSource": "aws_appsync_datasource",
    "aws:appsync/graphQLApi:GraphQLApi": "aws_appsync_graphql_api",
    "aws:codedeploy/application:Application": "aws_codedeploy_app",
    "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment":
        "aws_cognito_identity_pool_roles_attachment",
    "aws:directconnect/linkAggregationGroup:LinkAggregationGroup": "aws_dx_lag",
    "aws:guardduty/iPSet:IPSet": "aws_guardduty_ipset",
    "aws:guardduty/threatIntelSet:ThreatIntelSet": "aws_guardduty_threatintelset",
    "aws:glue/mLTransform:MLTransform": "aws_glue_ml_transform",
    "aws:cloudformation/cloudFormationType:CloudFormationType": "aws_cloudformation_type",
    "aws:cloud9/environmentEC2:EnvironmentEC2": "aws_cloud9_environment_ec2",
    "aws:macie/customDataIdentifier:CustomDataIdentifier": "aws_macie2_custom_data_identifier",
    "aws:macie/findingsFilter:FindingsFilter": "aws_macie2_findings_filter",
    "aws:opensearch/serverlessCollection:ServerlessCollection":
        "aws_opensearchserverless_collection",
    "aws:sagemaker/notebookInstance:NotebookInstance": "aws_sagemaker_notebook_instance",
    "aws:wafregional/webAcl:WebAcl": "aws_wafregional_web_acl",
    "aws:waf/webAcl:WebAcl": "aws_waf_web_acl",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":
        "aws_wafv2_web_acl_logging_configuration",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:lightsail/disk_attachment:Disk_attachment": "aws_lightsail_disk_attachment",
    "aws:rds/clusterSnapshot:ClusterSnapshot": "aws_db_cluster_snapshot",
    "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint":
        "aws_ec2_instance_connect_endpoint",
    "aws:account/alternativeContact:AlternativeContact": "aws_account_alternate_contact",
    "aws:appconfig/eventIntegration:EventIntegration": "aws_appintegrations_event_integration",
    "aws:codeartifact/domainPermissions:DomainPermissions":
        "aws_codeartifact_domain_permissions_policy",
    "aws:controltower/controlTowerControl:ControlTowerControl": "aws_controltower_control",
    "aws:datasync/efsLocation:EfsLocation": "aws_datasync_location_efs",
    "aws:datasync/nfsLocation:NfsLocation": "aws_datasync_location_nfs",
    "aws:datasync/s3Location:S3Location": "aws_datasync_location_s3",
    "aws:datasync/fsxOpenZfsFileSystem:FsxOpenZfsFileSystem":
        "aws_datasync_location_fsx_openzfs_file_system",
    "aws:datasync/locationFsxLustre:LocationFsxLustre":
        "aws_datasync_location_fsx_lustre_file_system",
    "aws:datasync/locationFsxWindows:LocationFsxWindows":
        "aws_datasync_location_fsx_windows_file_system",
    "aws:directconnect/hostedTransitVirtualInterfaceAcceptor:"
    "HostedTransitVirtualInterfaceAcceptor": "aws_dx_hosted_transit_virtual_interface_accepter",
    "aws:fsx/openZfsFileSystem:OpenZfsFileSystem": "aws_fsx_openzfs_file_system",
    "aws:fsx/openZfsSnapshot:OpenZfsSnapshot": "aws_fsx_openzfs_snapshot",
    "aws:fsx/openZfsVolume:OpenZfsVolume": "aws_fsx_openzfs_volume",
    "aws:licensemanager/licenseGrant:LicenseGrant": "aws_licensemanager_grant",
    "aws:licensemanager/licenseGrantAccepter:LicenseGrantAccepter":
        "aws_licensemanager_grant_accepter",
    "aws:location/routeCalculation:RouteCalculation": "aws_location_route_calculator",
    "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": "aws_route53_hosted_zone_dnssec",
    "aws:route53/resolverDnsSecConfig:ResolverDnsSecConfig": "aws_route53_resolver_dnssec_config",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig":
        "aws_s3_bucket_replication_configuration",
    "aws:s3/analyticsConfiguration:AnalyticsConfiguration":
        "aws_s3_bucket_analytics_configuration",
    "aws:s3/inventory:Inventory": "aws_s3_bucket_inventory",
    "aws:s3/bucketMetric:BucketMetric": "aws_s3_bucket_metric",
    "aws:ses/mailFrom:MailFrom": "aws_ses_domain_mail_from",
    "aws:sns/dataProtectionPolicy:DataProtectionPolicy": "aws_sns_topic_data_protection_policy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    "aws:sqs/redrivePolicy:RedrivePolicy": "aws_sqs_queue_redrive_policy",
    "aws:storagegateway/cachesIscsiVolume:CachesIscsiVolume":
        "aws_storagegateway_cached_iscsi_volume",
    "aws:elb/appCookieStickinessPolicy:AppCookieStickinessPolicy":
        "aws_app_cookie_stickiness_policy",
    "aws:elb/listenerPolicy:ListenerPolicy": "aws_load_balancer_listener_policy",
    "aws:elb/loadBalancerBackendServerPolicy:LoadBalancerBackendServerPolicy":
        "aws_load_balancer_backend_server_policy",
    "aws:elb/loadBalancerCookieStickinessPolicy:LoadBalancerCookieStickinessPolicy":
        "aws_lb_cookie_stickiness_policy",
    "aws:elb/loadBalancerPolicy:LoadBalancerPolicy": "aws_load_balancer_policy",
    "aws:elb/sslNegotiationPolicy:SslNegotiationPolicy": "aws_lb_ssl_negotiation_policy",
    "aws:cloudwatch/internetMonitor:InternetMonitor": "aws_internetmonitor_monitor",
    "aws:rds/instanceDesiredState:InstanceDesiredState": "aws_rds_instance_state",
    "aws:waf/ipSet:IpSet": "aws_waf_ipset",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack":
        "aws_serverlessapplicationrepository_cloudformation_stack",
    "aws:wafregional/ipSet:IpSet": "aws_wafregional_ipset",
}

# TF list blocks whose own name is plural (the bridge kept it): TF type -> Pulumi -> TF name.
PROPERTY_EXCEPTIONS = {
    "aws_launch_template": {
        "blockDeviceMappings": "block_device_mappings", "networkInterfaces": "network_interfaces",
        "elasticGpuSpecifications": "elastic_gpu_specifications",
        "elasticInferenceAccelerator": "elastic_inference_accelerator",
        "licenseSpecifications": "license_specification", "tagSpecifications": "tag_specifications",
    },
    "aws_lb": {"subnetMappings": "subnet_mapping"},
}


@dataclass(frozen=True)
class Property:
    """How one Pulumi property is spelled in TF and what is inside it."""

    tf_name: str
    block: Block | None = None  # an object (or list of objects) with properties of its own
    is_map: bool = False  # keys are data (tag names, header names), never renamed


class Block:
    """The properties of one SDK input type (a resource's Args or a nested object), as the
    provider's schema says (gate/sdk_schema.py), read when first asked."""

    def __init__(self, input_type: str | None, owner: str, renames: dict[str, str],
                 schema: ProviderSchema | None = None) -> None:
        self._input_type = input_type  # `module:Class`, as the schema names it
        self._owner = owner  # the type's name without `Args`: nested types extend it
        self._renames = renames
        self._schema = schema

    def property(self, name: str) -> Property:
        found = self._properties.get(name)
        if found is not None:
            return found
        return Property(self._renames.get(name) or snake_case(name),
                        is_map=name in MAP_PROPERTIES)

    @cached_property
    def _properties(self) -> dict[str, Property]:
        if self._input_type is None or self._schema is None:
            return {}
        return {name: self._property(name, field)
                for name, field in self._schema.fields(self._input_type).items()}

    def _nested(self, field: Field) -> Block | None:
        if field.nested is None:
            return None
        return type(self)(field.nested, type_name(field.nested).removesuffix("Args"),
                          self._renames, self._schema)

    def _property(self, name: str, field: Field) -> Property:
        renamed = self._renames.get(name)
        block = self._nested(field)
        if block is not None:
            suffix = block._owner.removeprefix(self._owner) \
                if block._owner.startswith(self._owner) else ""
            if field.is_map or not suffix:
                return Property(renamed or snake_case(name), block, field.is_map)
            return Property(renamed or snake_case(suffix), block, field.is_map)
        if name.endswith("Lists"):  # the bridge pluralises `*_list` too: `clientIdLists`
            return Property(renamed or snake_case(name[:-1]), None, field.is_map)
        return Property(renamed or snake_case(name), None, field.is_map)


@dataclass(frozen=True)
class TfType:
    """A Terraform resource type and how the Pulumi properties of its resource are spelled."""

    name: str
    token: str = ""  # the Pulumi type token; "" when the SDK's input types are not consulted
    renames: dict[str, str] = field(default_factory=dict)  # Pulumi name -> TF name, any depth

    @property
    def provider(self) -> str:
        return self.name.split("_", 1)[0]

    @property
    def nests_blocks(self) -> bool:
        """SDKv2 providers (aws) write nested blocks as lists; cloudflare v5 uses objects."""
        return self.provider == "aws"

    @property
    def block(self) -> Block:
        """The resource's properties, read from its SDK input type (imported on first use)."""
        return _resource_block(self.token, self.provider, tuple(self.renames.items()))


@cache
def _resource_block(token: str, provider: str, renames: tuple[tuple[str, str], ...]) -> Block:
    if not token:  # no SDK type to read (a dynamic resource): nothing to import
        return Block(None, "", dict(renames))
    schema = provider_schema(provider)
    args, resource = schema.resource_args(token)
    kind = _CloudflareBlock if provider == "cloudflare" else Block
    return kind(args, resource, dict(renames), schema)


def _split(token: str) -> tuple[str, str, str, str] | None:
    """`aws:rds/instance:Instance` -> ("aws", "rds", "instance", "Instance")."""
    parts = token.split(":")
    if len(parts) != 3 or "/" not in parts[1]:
        return None
    module, _, camel = parts[1].partition("/")
    return parts[0], module, camel, parts[2]


def aws_tf_name(module: str, camel: str) -> str:
    """`aws_<prefix>_<resource>`, the prefix's last words not repeated (`ec2transitgateway/
    transitGateway` is `aws_ec2_transit_gateway`)."""
    prefix = AWS_MODULE_PREFIXES.get(module, module)
    if module == "ec2" and camel in AWS_EC2_PREFIXED:
        prefix = "ec2"
    for sub in AWS_SUBSERVICES.get(module, ()):
        if camel.startswith(sub) and camel[len(sub):][:1].isupper():
            prefix, camel = f"{prefix}{sub}", camel[len(sub):]
            break
    if module == "s3":
        camel = camel.removesuffix("V2")  # pulumi-aws keeps v5's `BucketV2` names as aliases
    body = snake_case(camel).replace("__", "_")
    if not prefix:
        return f"aws_{body}"
    prefix_words, body_words = prefix.split("_"), body.split("_")
    for n in range(min(len(prefix_words), len(body_words)), 0, -1):
        if prefix_words[-n:] == body_words[:n]:
            body_words = body_words[n:]
            break
    return "_".join(["aws", *prefix_words, *body_words])


# Resources this project declares through its own dynamic providers, already TF-shaped.
PROJECT_TYPES = {
    # the Supabase project's settings (infra/components/supabase_project.py)
    "pulumi-python:dynamic/supabase:ProjectSettings": "supabase_project_settings",
}


@cache
def tf_type(token: str) -> TfType | None:
    """The TF type of a Pulumi type token, or None when no installed SDK declares it."""
    if token in PROJECT_TYPES:
        return TfType(PROJECT_TYPES[token])
    parts = _split(token)
    if parts is None or parts[0] not in BRIDGED_PACKAGES:
        return None
    package, module, camel, _ = parts
    if not provider_schema(package).declares(token):
        return None
    if package == "cloudflare":
        name = "cloudflare_" + snake_case(camel)
        return TfType(name, token, CLOUDFLARE_RENAMES.get(name, {}))
    name = TYPE_EXCEPTIONS.get(token) or aws_tf_name(module, camel)
    return TfType(name, token, PROPERTY_EXCEPTIONS.get(name, {}))


# pulumi-cloudflare pluralises a few TF v5 list attributes; TF v5 keeps most lists plural.
CLOUDFLARE_RENAMES = {
    "cloudflare_notification_policy": {"emails": "email", "pagerduties": "pagerduty"},
}


class _CloudflareBlock(Block):
    """TF v5 (plugin framework) attributes: names are the camelCase of TF's, no block lists."""

    def _property(self, name: str, field: Field) -> Property:
        return Property(self._renames.get(name) or snake_case(name), self._nested(field),
                        field.is_map)


def is_engine_resource(token: str) -> bool:
    return token.startswith(ENGINE_TYPE_PREFIXES)


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
