"""A scenario: resources for the shared test plan, and what checkov must say about them."""

from __future__ import annotations

from dataclasses import dataclass, field

from policy_plan_builder import Resource

PASSED = "PASSED"
FAILED = "FAILED"
NOT_APPLICABLE = "NOT_APPLICABLE"  # the check looks at the resource and records nothing


@dataclass(frozen=True)
class Expectation:
    check_id: str
    address: str
    outcome: str

    @property
    def outcomes(self) -> set[str]:
        """The set of outcomes checkov must record for this check on this resource."""
        return set() if self.outcome == NOT_APPLICABLE else {self.outcome}

    def __str__(self) -> str:
        return f"{self.check_id}-{self.outcome}-{self.address}"


@dataclass
class Scenario:
    """Collects resources and expectations; `expect` ties a check's outcome to a resource."""

    resources: list[Resource] = field(default_factory=list)
    expectations: list[Expectation] = field(default_factory=list)

    def add(self, *resources: Resource) -> Resource:
        self.resources.extend(resources)
        return resources[0]

    def expect(self, outcome: str, check_ids: str, *resources: Resource) -> None:
        """`check_ids` is space-separated, so one bad resource can break several checks."""
        for resource in resources:
            if resource not in self.resources:
                self.resources.append(resource)
            for check_id in check_ids.split():
                self.expectations.append(Expectation(check_id, resource.address, outcome))

    def merge(self, other: Scenario) -> Scenario:
        self.resources.extend(other.resources)
        self.expectations.extend(other.expectations)
        return self
