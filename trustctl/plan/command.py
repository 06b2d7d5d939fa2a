"""`trustctl plan`: placeholder until its module lands."""

import typer


def register(app: typer.Typer) -> None:
    """Attach this flow's commands to the top-level app."""
