"""Which modules contribute commands to `trustctl`. Each exposes `register(app)`."""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES = (
    "trustctl.plan.command",
    "trustctl.gate.command",
    "trustctl.sandbox.command",
    "trustctl.backup.command",
    "trustctl.drill.command",
)


def register(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
