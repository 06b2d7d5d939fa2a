"""Every scenario of the policy tests, gathered into the one plan checkov scans."""

from __future__ import annotations

from policy_cases_data import data_scenario
from policy_cases_edge import edge_scenario
from policy_cases_jobs import jobs_scenario
from policy_cases_network import network_scenario
from policy_cases_recovery import recovery_scenario
from policy_cases_stores import stores_scenario
from policy_scenario import Scenario


def all_scenarios() -> Scenario:
    return (edge_scenario().merge(data_scenario()).merge(network_scenario())
            .merge(jobs_scenario()).merge(recovery_scenario())
            .merge(stores_scenario()))
