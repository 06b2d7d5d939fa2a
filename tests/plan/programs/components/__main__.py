"""Components from another package, nested two deep."""

import pulumi
from acme_network import Vpc

network = Vpc("core", cidr="10.1.0.0/16")
pulumi.export("subnet_ids", network.private.ids)
