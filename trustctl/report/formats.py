"""Which report formats a run writes, and where: `--format` for stdout, `--output` for files.

One run, several reports: `--output sarif=gate.sarif --output json=gate.json` writes both and
still prints `--format` (text by default) for the log. A plain `--output PATH` keeps its old
meaning: the report goes to PATH instead of stdout, in the format its extension names (`.sarif`,
`.json`, `.xml` for JUnit; a SARIF file holding a text report helps no one), else `--format`.
`text` is the word every command uses for the human-readable report; `table` (the gate's old
word) is still accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from trustctl.catalog import load_catalog
from trustctl.errors import InputError
from trustctl.records.provenance import code_version
from trustctl.redaction import write_file
from trustctl.report.model import ControlReport
from trustctl.report.render import to_json, to_junit, to_table
from trustctl.report.sarif import to_sarif


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"


_ALIASES = {"table": ReportFormat.TEXT}

FormatOption = Annotated[str, typer.Option(
    "--format", help="Report on stdout: text, json, sarif or junit.", case_sensitive=False)]
OutputOption = Annotated[list[str] | None, typer.Option(
    "--output", "-o", metavar="[FORMAT=]PATH",
    help="Write a report to a file (repeatable): FORMAT=PATH writes that format (stdout keeps "
         "--format); a plain PATH takes the report off stdout, in the format its extension "
         "names (.sarif, .json, .xml: junit), else --format.")]
_EXTENSIONS = {".sarif": ReportFormat.SARIF, ".json": ReportFormat.JSON,
               ".xml": ReportFormat.JUNIT}


@dataclass(frozen=True)
class ReportOutput:
    format: ReportFormat
    path: Path | None  # None: stdout


def report_format(name: str, flag: str = "--format") -> ReportFormat:
    """`text`, `json`, `sarif`, `junit` (or the alias `table`), any case."""
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return ReportFormat(key)
    except ValueError:
        raise InputError(f"{flag} {name!r}: not a report format "
                         f"({', '.join(f.value for f in ReportFormat)})") from None


def report_outputs(stdout_format: str, outputs: list[str] | None) -> list[ReportOutput]:
    """Every report a run writes: each --output, and stdout unless a plain --output took it."""
    default = report_format(stdout_format)
    written: list[ReportOutput] = []
    stdout_taken = False
    for given in outputs or []:
        name, sep, path = given.partition("=")
        if sep and (name.lower() in _ALIASES or name.lower() in set(ReportFormat)):
            if not path:
                raise InputError(f"--output {given}: no path after `=`")
            written.append(ReportOutput(report_format(name, "--output"), Path(path)))
        else:
            written.append(ReportOutput(_by_extension(Path(given), default), Path(given)))
            stdout_taken = True
    paths = [o.path for o in written]
    twice = sorted({str(p) for p in paths if paths.count(p) > 1})
    if twice:
        raise InputError(f"--output {', '.join(twice)}: given more than once")
    return written if stdout_taken else [ReportOutput(default, None), *written]


def _by_extension(path: Path, default: ReportFormat) -> ReportFormat:
    """The format a file's extension names; --format must agree unless left at text."""
    named = _EXTENSIONS.get(path.suffix.lower())
    if named is None or named == default:
        return default
    if default != ReportFormat.TEXT:
        raise InputError(f"--output {path}: a {path.suffix} file cannot hold --format "
                         f"{default.value}; write {default.value}={path} to force it")
    return named


def render(report: ControlReport, output_format: ReportFormat, fallback_uri: str) -> str:
    """The report in one format; SARIF points findings without a source at `fallback_uri`."""
    if output_format == ReportFormat.JSON:
        return to_json(report)
    if output_format == ReportFormat.SARIF:
        return to_sarif(report, load_catalog(), fallback_uri, code_version())
    if output_format == ReportFormat.JUNIT:
        return to_junit(report)
    return to_table(report)


def write_reports(report: ControlReport, outputs: list[ReportOutput], fallback_uri: str) -> None:
    """Each report to its file (0640, redacted) or stdout."""
    for output in outputs:
        text = render(report, output.format, fallback_uri)
        if output.path is None:
            typer.echo(text, nl=False)
            continue
        try:
            write_file(output.path, text)
        except OSError as exc:
            raise InputError(f"--output {output.path}: cannot write ({exc.strerror})") from None
