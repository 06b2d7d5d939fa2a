"""A program that prints 20 MB while it is planned: the gate forwards its first and last 32 KiB
and says how much it left out between, once; the verdict is unchanged."""

from __future__ import annotations

from gate_support import PROGRAM
from typer.testing import CliRunner

from trustctl.cli import app
from trustctl.plan.isolated import OUTPUT_CAP


def test_a_programs_huge_output_is_cut_with_one_line_saying_so(tmp_path) -> None:
    result = CliRunner().invoke(app, ["gate", "--program", str(PROGRAM.parent / "chatty"),
                                      "--stack", "test", "--evidence-dir", str(tmp_path)])
    print(f"CASE gate, a program printing 20 MB: exit {result.exit_code}; "
          f"{len(result.stderr):,} characters on stderr")
    assert result.exit_code in (0, 1), result.stderr[-2000:]
    assert OUTPUT_CAP <= len(result.stderr) < OUTPUT_CAP + 20_000
    notes = [line for line in result.stderr.splitlines() if "program output not shown" in line]
    assert len(notes) == 1 and notes[0].startswith("trustctl: ... "), notes
    assert int(notes[0].split()[2]) > 19_000_000  # the 20 MB, less what was shown
    assert result.stdout.startswith("trustctl gate: program ")  # the report, whole
