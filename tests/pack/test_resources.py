"""What a stack policy is handed, read back into the stack-export shape the gate reads: whole
numbers whole again (gRPC carries doubles), unknowns kept as Pulumi's sentinel, outputs the
program made secret marked secret, components told apart from custom resources."""

from __future__ import annotations

from pulumi_policy import PolicyProviderResource, PolicyResource, PolicyResourceOptions
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.proxy import unknown_checking_proxy

from trustctl.gate.references import UNKNOWN
from trustctl.pack.resources import as_state

URN = "urn:pulumi:prod::p::aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::b"
PROVIDER = PolicyProviderResource("pulumi:providers:aws", {}, "urn:pulumi:prod::p::"
                                  "pulumi:providers:aws::default", "default")


def _resource(props: dict, *, secret: list[str] | None = None, provider: bool = True,
              parent: PolicyResource | None = None) -> PolicyResource:
    options = PolicyResourceOptions(False, [], None, [], None, secret or [], None)
    return PolicyResource(URN.split("::")[2], unknown_checking_proxy(props), URN, "b", options,
                          PROVIDER if provider else None, parent, [], {})


def test_whole_numbers_are_integers_again_and_fractions_stay() -> None:
    state = as_state(_resource({"rules": [{"expiration": {"days": 35.0}, "ratio": 0.5}]}))
    assert state["inputs"] == {"rules": [{"expiration": {"days": 35}, "ratio": 0.5}]}
    assert type(state["inputs"]["rules"][0]["expiration"]["days"]) is int


def test_unknown_values_keep_pulumi_s_sentinel_through_the_policy_sdk_s_proxy() -> None:
    state = as_state(_resource({"bucket": UNKNOWN, "tags": {"a": "b"}}))
    assert state["inputs"] == state["outputs"] == {"bucket": UNKNOWN, "tags": {"a": "b"}}


def test_outputs_the_program_made_secret_are_marked_secret() -> None:
    state = as_state(_resource({"password": "hunter2", "name": "x"}, secret=["password"]))
    assert state["inputs"]["password"] == {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG,
                                           "value": "hunter2"}
    assert state["inputs"]["name"] == "x"


def test_a_resource_without_a_provider_is_a_component_and_the_parent_is_its_urn() -> None:
    component = _resource({}, provider=False)
    child = as_state(_resource({}, parent=component))
    assert as_state(component)["custom"] is False and child["custom"] is True
    assert child["parent"] == URN and as_state(component)["parent"] is None
