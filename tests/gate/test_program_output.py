"""A program that prints 20 MB while it is planned: the gate forwards its first 1 MiB and says
the rest is left out, once; the verdict is unchanged."""

from __future__ import annotations

from gate_support import PROGRAM
from typer.testing import CliRunner

from trustctl.capped import OUTPUT_LIMIT
from trustctl.cli import app


def test_a_programs_huge_output_is_cut_with_one_line_saying_so(tmp_path) -> None:
    result = CliRunner().invoke(app, ["gate", "--program", str(PROGRAM.parent / "chatty"),
                                      "--stack", "test", "--evidence-dir", str(tmp_path)])
    print(f"CASE gate, a program printing 20 MB: exit {result.exit_code}; "
          f"{len(result.stderr):,} characters on stderr")
    assert result.exit_code in (0, 1), result.stderr[-2000:]
    assert OUTPUT_LIMIT <= len(result.stderr) < OUTPUT_LIMIT + 20_000
    notes = [line for line in result.stderr.splitlines() if "the rest is left out" in line]
    assert notes == [f"trustctl: the program printed more than {OUTPUT_LIMIT:,} characters: "
                     "the rest is left out"]
    assert result.stdout.startswith("trustctl gate: program ")  # the report, whole
