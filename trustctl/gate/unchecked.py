"""What a resource the gate cannot translate may risk, and so whether leaving it unchecked fails
closed.

A type of a provider that stores data (databases, buckets, disks, queues) or opens network
paths (load balancers, firewalls, tunnels, DNS) might break a promise unseen: the gate fails
closed on it and says which. A type that only computes values locally (random, time, tls) is
listed in the report and does not change the exit code. A provider named in neither table fails
closed: the gate cannot tell what it does.
"""

from __future__ import annotations

from dataclasses import dataclass

RISKY_PROVIDERS = {
    "aws": "AWS: a type the installed pulumi-aws does not declare; AWS stores data and opens "
           "network paths",
    "cloudflare": "Cloudflare: a type the installed pulumi-cloudflare does not declare; it opens "
                  "network paths",
    "aws-native": "AWS Cloud Control: stores data (RDS, S3, DynamoDB) and opens network paths",
    "gcp": "Google Cloud: stores data (Cloud SQL, GCS, BigQuery) and opens network paths",
    "google-native": "Google Cloud: stores data and opens network paths",
    "azure": "Azure: stores data (SQL, Storage, Cosmos DB) and opens network paths",
    "azure-native": "Azure: stores data (SQL, Storage, Cosmos DB) and opens network paths",
    "kubernetes": "Kubernetes: volumes and secrets hold data; Services and Ingresses open "
                  "network paths",
    "docker": "Docker: containers and volumes hold data and publish ports",
    "digitalocean": "DigitalOcean: databases, volumes and Spaces hold data; droplets and "
                    "firewalls open network paths",
    "mongodbatlas": "MongoDB Atlas: a database service that holds data",
    "postgresql": "PostgreSQL: databases, roles and grants over customer data",
    "mysql": "MySQL: databases, users and grants over customer data",
    "snowflake": "Snowflake: a data warehouse that holds data",
    "supabase": "Supabase: a Postgres service that holds data",
    "command": "command: runs arbitrary commands, which can do anything",
    "tailscale": "Tailscale: opens network paths between machines",
    "fastly": "Fastly: an edge network in front of the application",
}

HARMLESS_PROVIDERS = {
    "random": "generates values locally",
    "time": "keeps timestamps and rotation dates",
    "null": "a placeholder with no infrastructure",
    "tls": "generates keys and certificates locally",
}


@dataclass(frozen=True)
class UncheckedRisk:
    fails_closed: bool
    reason: str


def unchecked_risk(type_token: str) -> UncheckedRisk:
    """Why a resource of this type is not checked, and whether that fails the gate closed."""
    provider = type_token.split(":", 1)[0]
    if provider in HARMLESS_PROVIDERS:
        return UncheckedRisk(False, f"{provider}: {HARMLESS_PROVIDERS[provider]}")
    if provider in RISKY_PROVIDERS:
        return UncheckedRisk(True, RISKY_PROVIDERS[provider])
    return UncheckedRisk(True, f"{provider}: a provider the gate does not know may hold customer "
                               "data or open network paths")
