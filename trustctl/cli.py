"""The `trustctl` command: one Typer app; each flow's command module registers itself on it.

A flow's module is imported only when its command is asked for (`trustctl gate` does not load
the evidence report's OSCAL models or the database driver): start-up is on every pull
request's path. `--help` at the top still lists, and so imports, them all.

Every error a user can act on ends the command with exit 2 and one line on stderr; so does an
unexpected one (fail closed: never exit 0 when something could not be checked), and with
`--format json` stdout still gets the JSON contract, saying so. A mistyped flag is one line too,
with the closest flag. Ctrl-C and SIGTERM (trustctl.signals) end it with 130 after its cleanup.
Everything the command prints passes through `trustctl.redaction` (see `main`): no secret
reaches a terminal.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from trustctl import redaction, signals
from trustctl.errors import TrustctlError
from trustctl.records.provenance import catalog_version, code_version

# Command name -> the module whose `register(app)` declares it, in the order `--help` lists them.
COMMANDS = {
    "plan": "trustctl.plan.command",
    "gate": "trustctl.gate.command",
    "sandbox": "trustctl.sandbox.command",
    "backup": "trustctl.backup.command",
    "drill": "trustctl.drill.command",
    "audit": "trustctl.audit.command",
    "access-review": "trustctl.access_review.command",
    "evidence": "trustctl.evidence.command",
    "controls": "trustctl.catalog_command",
}

EXIT_COULD_NOT_RUN = 2
EXIT_PIPE_CLOSED = 128 + 13  # SIGPIPE's status in a shell
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM, the cleanup done
UsageError = typer.core._click.exceptions.UsageError  # typer ships its own copy of click


class _FailClosedGroup(TyperGroup):
    """Turns exceptions from any sub-command into exit 2 with a one-line reason; loads each
    command's flow when the command is first asked for."""

    argv: tuple[str, ...] = ()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            flow = typer.Typer(add_completion=False, rich_markup_mode=None)
            importlib.import_module(COMMANDS[cmd_name]).register(flow)
            self.commands.update(typer.main.get_group(flow).commands)
        return self.commands.get(cmd_name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """The one door out: stdout and stderr are redacted for the whole command."""
        redaction.remember_environment()
        given = kwargs.get("args", args[0] if args else None)
        self.argv = tuple(sys.argv[1:] if given is None else given)
        with redaction.redacting_output(), signals.terminate_as_interrupt():
            return super().main(*args, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as exc:  # `trustctl --bogus`
            _usage_error(exc)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TrustctlError as exc:
            _could_not_run(self.argv, "error", str(exc))
        except UsageError as exc:
            _usage_error(exc)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # the CLI framework's own control flow (--help)
        except BrokenPipeError:  # `trustctl ... | head`: the reader left; stop as a shell would
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_PIPE_CLOSED)
        except KeyboardInterrupt as exc:
            how = "SIGTERM" if isinstance(exc, signals.Terminated) else "Ctrl-C"
            typer.echo(f"trustctl: interrupted ({how})", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:  # fail closed on anything unexpected
            first_line = (str(exc).splitlines() or [""])[0]
            _could_not_run(self.argv, "internal error", f"{type(exc).__name__}: {first_line}")


def _could_not_run(argv: tuple[str, ...], kind: str, reason: str) -> None:
    """Exit 2 with one line on stderr; with --format json, the contract on stdout too."""
    if _wants_json(argv):
        typer.echo(json.dumps({"status": "error", "exit_code": EXIT_COULD_NOT_RUN,
                               "error": reason if kind == "error" else f"{kind}: {reason}",
                               "controls": []}, indent=2))
    typer.echo(f"trustctl: {kind}: {reason}", err=True)
    sys.exit(EXIT_COULD_NOT_RUN)


def _wants_json(argv: tuple[str, ...]) -> bool:
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return any(arg == "--format=json" or (arg == "--format" and value == "json")
               for arg, value in pairs)


def _usage_error(exc: Exception) -> None:
    """One line, not Click's usage block: what was wrong, Click's closest flags, where help is."""
    command = exc.ctx.command_path if exc.ctx else "trustctl"
    typer.echo(f"trustctl: error: `{command}`: {exc.format_message()}; see `{command} -h`",
               err=True)
    sys.exit(exc.exit_code)


app = typer.Typer(
    name="trustctl",
    cls=_FailClosedGroup,
    help=(
        "Keep every promise of Claver's security page: plan the Pulumi program offline, "
        "gate pull requests, back up and rehearse restores, audit live, build evidence.\n\n"
        "Exit codes: 0 every control checked passed; 1 a control failed; 2 nothing failed but "
        "something could not be checked, or the command could not run; 130 interrupted "
        "(Ctrl-C or SIGTERM, after cleanup)."
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


if __name__ == "__main__":
    app()
