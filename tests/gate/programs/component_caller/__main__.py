"""Two buckets built through the program's own component (components/store.py). A pull request
that changes one of the two calls below must get its finding on the line it changed."""

import pulumi_aws as aws
from components.store import Store

data_key = aws.kms.Key("data-key", enable_key_rotation=True, deletion_window_in_days=30)
invoices = Store("invoices", key=data_key)
exports = Store("exports", key=data_key)
