"""The review's readable summary (Markdown): sources, findings, changes, reads, then every row."""

from __future__ import annotations

from typing import Any


def markdown(document: dict[str, Any]) -> str:
    """A page a reviewer reads before deciding: what was seen, what is wrong, what changed."""
    lines = [f"# Access review {document['review_id']}", "",
             f"Prepared {document['prepared_at']}; reads from {document['period']['start']} "
             f"to {document['period']['end']}. Roster: `{document['inputs']['roster']['path']}`.",
             "", "## Sources", "", "| source | status |", "|---|---|"]
    lines += [f"| {name} | {_cell(status)} |" for name, status in document["sources"].items()]
    if document["errors"]:
        lines += ["", "## Could not be read (the review is incomplete)", ""]
        lines += [f"- **{e['source']}**: {e['what']}: {_cell(e['message'])}"
                  for e in document["errors"]]
    lines += ["", f"## Findings ({len(document['findings'])})", ""]
    lines += [f"- `{f['check']}` ({f['control']}): {_cell(f['message'])}"
              for f in document["findings"]] or ["None."]
    lines += _changes(document["changes"])
    lines += ["", "## Who read customer data in the period", ""]
    if document["reads"]:
        lines += ["| principal | reads | objects | denied | buckets | sessions | last |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['principal']} | {r['reads']} | {r['objects']} | {r['denied']} | "
                  f"{_cell(', '.join(f'{b} ({n})' for b, n in r['buckets'].items()))} | "
                  f"{_cell(', '.join(r['sessions']))} | {r['last'] or ''} |"
                  for r in document["reads"]]
    else:
        lines.append("No read of a watched bucket logged in the period.")
    lines += _database_reads(document.get("database_reads"))
    lines += ["", "Why each read happened is attested (ACCESS-LOGGED's attestation), not read.",
              "", f"## Accesses ({len(document['rows'])})", "",
              "| principal | resource | level | via | last used | reads | roster | flags |",
              "|---|---|---|---|---|---|---|---|"]
    lines += [_row(row) for row in document["rows"]]
    return "\n".join(lines) + "\n"


def _database_reads(reads: list[dict[str, Any]] | None) -> list[str]:
    lines = ["", "## Who read tenant tables, from the database's log", ""]
    if reads is None:
        return [*lines, "The database's log was not read (no --database-log)."]
    if not reads:
        return [*lines, "No read of a tenant table logged in the period."]
    lines += ["| principal | reads | tables | denied | sessions | connections | last |",
              "|---|---|---|---|---|---|---|"]
    return lines + [f"| {r['principal']} | {r['reads']} | "
                    f"{_cell(', '.join(f'{t} ({n})' for t, n in r['tables'].items()))} | "
                    f"{r['denied']} | {len(r['sessions'])} | {r['connections']} | "
                    f"{r['last'] or ''} |" for r in reads]


def _row(row: dict[str, Any]) -> str:
    cells = [row["principal"], row["resource"], row["level"], "; ".join(row["via"]),
             row["last_used"] or "never / not exposed",
             "" if row["reads_in_period"] is None else str(row["reads_in_period"]),
             row["roster"] or "NOT ON ROSTER",
             ", ".join(row["flags"])]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _changes(changes: dict[str, Any]) -> list[str]:
    if changes["since"] is None:
        return ["", "## Changes", "", "No previous review: everything is new."]
    lines = ["", f"## Changes since {changes['since']}", ""]
    for kind in ("added", "removed", "widened", "reduced"):
        lines += [f"- {kind}: {_cell(item)}" for item in changes[kind]]
    return lines if len(lines) > 3 else [*lines, "No change."]


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
