"""PRINCIPAL_READ_ACTIONS names every AWS API the access review's principal collectors call (so
the audit job's role lets the ACCESS-REVIEW check read them), and only reads."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session
from botocore import xform_name

from trustctl.access_review import aws_iam, identity_center
from trustctl.access_review.permissions import PRINCIPAL_READ_ACTIONS

CLIENTS = {"iam": "iam", "sso": "sso-admin", "_client": "identitystore",
           'client("sts", target)': "sts"}  # how the collectors name each service's client
# `client("sts", target).op(`, `iam.op(`, `pages(sso, "op"`, `getattr(iam, f"op")`
CALL = re.compile(r'(client\("sts", target\)|\b(?:iam|sso|_client))\.([a-z_]+)\('
                  r'|pages\((?:self\.)?(\w+), f?"([a-z_{}]+)"'
                  r'|getattr\((\w+), f"([a-z_{}]+)"\)')
KINDS = ("user", "group", "role")


def _called() -> set[str]:
    session = botocore.session.get_session()
    found = set()
    for module in (aws_iam, identity_center):
        for match in CALL.finditer(Path(module.__file__).read_text()):
            owner = match.group(1) or match.group(3) or match.group(5)
            operation = match.group(2) or match.group(4) or match.group(6)
            model = session.get_service_model(CLIENTS[owner])
            for api in ({operation.format(kind=k) for k in KINDS} if "{" in operation
                        else {operation}):
                name = next(o for o in model.operation_names if xform_name(o) == api)
                found.add(f"{model.signing_name}:{name}")
    return found


def test_every_call_of_the_principal_collectors_is_granted_and_nothing_more():
    assert _called() == set(PRINCIPAL_READ_ACTIONS)


def test_every_action_only_reads():
    assert all(a.split(":")[1].startswith(("Get", "List", "Describe"))
               for a in PRINCIPAL_READ_ACTIONS)
