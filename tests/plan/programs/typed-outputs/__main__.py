"""Computed outputs shaped by the SDK: objects, lists, numbers and booleans."""

import json

import pulumi
import pulumi_aws as aws

cluster = aws.eks.Cluster("k8s", role_arn="arn:aws:iam::123456789012:role/eks",
                          vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1"]))
kubeconfig = pulumi.Output.all(cluster.endpoint, cluster.certificate_authority.data,
                               cluster.name).apply(lambda a: json.dumps(
    {"clusters": [{"cluster": {"server": a[0], "certificate-authority-data": a[1]},
                   "name": a[2]}]}))
aws.secretsmanager.Secret("kubeconfig", description=kubeconfig)

cert = aws.acm.Certificate("site", domain_name="www.example.com", validation_method="DNS")
option = cert.domain_validation_options[0]
record = aws.route53.Record("site-validation", zone_id="Z123", ttl=60,
                            name=option.resource_record_name, type=option.resource_record_type,
                            records=[option.resource_record_value])
aws.acm.CertificateValidation("site", certificate_arn=cert.arn,
                              validation_record_fqdns=[record.fqdn])

db = aws.rds.Instance("db", engine="postgres", instance_class="db.t4g.micro",
                      allocated_storage=20, username="app", password="not-a-secret-value",
                      storage_encrypted=True)
aws.ec2.SecurityGroup("db-port", ingress=[aws.ec2.SecurityGroupIngressArgs(
    protocol="tcp", from_port=db.port, to_port=db.port, cidr_blocks=["10.0.0.0/8"])],
    tags={"multi-az": db.multi_az.apply(lambda on: "yes" if on else "no")})
