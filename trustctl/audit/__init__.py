"""`trustctl audit`: the security page's promises checked live against what is deployed.

AWS (boto3), Cloudflare (its SDK), the public site (TLS, headers, SRI, security.txt), the
database (the drill's RLS code, read-only) and the records the audit reads (backup manifests,
drill records); results by control in the gate's shapes, and a record of every run.
"""
