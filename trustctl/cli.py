"""The `trustctl` command: one Typer app; each flow's command module registers itself on it.

Every error a user can act on ends the command with exit 2 and one line on stderr; so does an
unexpected one (fail closed: never exit 0 when something could not be checked). Everything the
command prints passes through `trustctl.redaction` (see `main`): no secret reaches a terminal.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from trustctl import catalog_command, redaction
from trustctl.access_review import command as access_review
from trustctl.audit import command as audit
from trustctl.backup import command as backup
from trustctl.drill import command as drill
from trustctl.errors import TrustctlError
from trustctl.evidence import command as evidence
from trustctl.gate import command as gate
from trustctl.plan import command as plan
from trustctl.records.provenance import catalog_version, code_version
from trustctl.sandbox import command as sandbox

EXIT_COULD_NOT_RUN = 2


class _FailClosedGroup(TyperGroup):
    """Turns exceptions from any sub-command into exit 2 with a one-line reason."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """The one door out: stdout and stderr are redacted for the whole command."""
        redaction.remember_environment()
        with redaction.redacting_output():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TrustctlError as exc:
            typer.echo(f"trustctl: error: {exc}", err=True)
            sys.exit(EXIT_COULD_NOT_RUN)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # the CLI framework's own control flow (usage errors, --help)
        except KeyboardInterrupt:
            typer.echo("trustctl: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # fail closed on anything unexpected
            first_line = (str(exc).splitlines() or [""])[0]
            typer.echo(f"trustctl: internal error: {type(exc).__name__}: {first_line}", err=True)
            sys.exit(EXIT_COULD_NOT_RUN)


app = typer.Typer(
    name="trustctl",
    cls=_FailClosedGroup,
    help=(
        "Keep every promise of Claver's security page: plan the Pulumi program offline, "
        "gate pull requests, back up and rehearse restores, audit live, build evidence.\n\n"
        "Exit codes: 0 every control checked passed; 1 a control failed; 2 could not run."
    ),
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},  # inherited by every command
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _show_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"trustctl {code_version()} (control catalog {catalog_version()})")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Print the code and control catalog versions, and exit.")] = False) -> None:
    """Claver's security page as code."""


for flow in (plan, gate, sandbox, backup, drill, audit, access_review, evidence, catalog_command):
    flow.register(app)

if __name__ == "__main__":
    app()
