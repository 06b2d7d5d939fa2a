"""Data sources: a pure function computed for real, the rest answered from their result types."""

import pulumi_aws as aws

trust = aws.iam.get_policy_document(statements=[
    aws.iam.GetPolicyDocumentStatementArgs(
        actions=["sts:AssumeRole"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
            type="Service", identifiers=["ec2.amazonaws.com"])]),
])
deny_insecure = aws.iam.get_policy_document(
    source_policy_documents=[trust.json],
    statements=[aws.iam.GetPolicyDocumentStatementArgs(
        sid="DenyInsecure", effect="Deny", actions=["s3:*"], resources=["*"],
        principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])],
        conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
            test="Bool", variable="aws:SecureTransport", values=["false"])])])
role = aws.iam.Role("web", assume_role_policy=trust.json)
ami = aws.ec2.get_ami(most_recent=True, owners=["137112412989"],
                      filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["al2023-ami-*"])])
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id",
                                                                    values=[vpc.id])])
zone = aws.route53.get_zone(name="example.com")
me = aws.get_caller_identity()
aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro", subnet_id=subnets.ids[0],
                 tags={"zone": zone.name, "account": me.account_id,
                       "default-vpc": str(vpc.default)})
aws.s3.BucketPolicy("deny-insecure", bucket="assets", policy=deny_insecure.json)
