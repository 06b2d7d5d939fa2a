"""The review's readable summary: sources, findings, changes, reads, then every row.

One outline (sections of paragraphs, items and tables) rendered twice: Markdown for the pull
request, and one self-contained HTML page (no script, nothing fetched) for a reviewer's browser,
where what needs a decision (findings, unread sources, flagged rows) is red.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

CHANGE_KINDS = ("added", "removed", "widened", "reduced")
ATTENTION = ("findings", "not read", "not on roster")  # figures that are red when not zero
ALERT_RED = "#b00020"
CSS = f"""
body {{ font: 10.5pt/1.4 system-ui, sans-serif; color: #111; margin: 2em auto; max-width: 72em;
       padding: 0 1em; }}
h1 {{ font-size: 17pt; }} h2 {{ font-size: 12.5pt; margin-top: 1.5em;
  border-bottom: 1px solid #ccc; }}
.figures {{ display: flex; gap: 0.5em; flex-wrap: wrap; }}
.figure {{ border: 1px solid #ccc; border-radius: 4px; padding: 0.3em 0.8em; }}
.figure b {{ display: block; font-size: 15pt; }}
.alert, .alert code, tr.alert td, .figure.alert b {{ color: {ALERT_RED}; }}
table {{ border-collapse: collapse; width: 100%; font-size: 9pt; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.2em 0.4em; text-align: left;
  vertical-align: top; }}
th {{ position: sticky; top: 0; background: #fff; }}
@media print {{ th {{ position: static; }} tr {{ break-inside: avoid; }} }}
"""


@dataclass
class Item:
    """A list item: a lead (shown strong or as code) and the rest of the line."""

    lead: str
    rest: str
    style: str = "plain"  # plain | strong | code


@dataclass
class Table:
    header: tuple[str, ...]
    rows: list[list[str]]
    alert: list[bool] = field(default_factory=list)  # per row: needs a decision (red)


@dataclass
class Section:
    key: str
    title: str
    text: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    table: Table | None = None
    alert: bool = False


def outline(document: dict[str, Any]) -> list[Section]:
    """What a reviewer reads before deciding: what was seen, what is wrong, what changed."""
    sections = [Section("sources", "Sources", table=Table(
        ("source", "status"), [[name, status] for name, status in document["sources"].items()],
        [status.startswith("error") for status in document["sources"].values()]))]
    if document["errors"]:
        sections.append(Section(
            "errors", "Could not be read (the review is incomplete)", alert=True,
            items=[Item(e["source"], f": {e['what']}: {e['message']}", "strong")
                   for e in document["errors"]]))
    sections.append(Section(
        "findings", f"Findings ({len(document['findings'])})",
        items=[Item(f["check"], f" ({f['control']}): {f['message']}", "code")
               for f in document["findings"]],
        text=[] if document["findings"] else ["None."], alert=bool(document["findings"])))
    sections.append(_changes(document["changes"]))
    sections += [_cloudtrail_reads(document["reads"]),
                 _database_reads(document.get("database_reads"))]
    sections.append(Section("accesses", f"Accesses ({len(document['rows'])})", table=Table(
        ("principal", "resource", "level", "via", "last used", "reads", "roster", "flags"),
        [_row(row) for row in document["rows"]],
        [bool(row["flags"]) or not row["roster"] for row in document["rows"]])))
    return sections


def figures(document: dict[str, Any]) -> dict[str, int]:
    """The counts at the top of the page; the last three need attention when not zero."""
    changes = document["changes"]
    return {"accesses": len(document["rows"]),
            "changes": sum(len(changes.get(k) or []) for k in CHANGE_KINDS),
            "findings": len(document["findings"]), "not read": len(document["errors"]),
            "not on roster": sum(1 for row in document["rows"] if not row["roster"])}


def _heading(document: dict[str, Any]) -> str:
    period = document["period"]
    return (f"Prepared {document['prepared_at']}; reads from {period.get('start')} to "
            f"{period.get('end')}. Roster: {document['inputs']['roster']['path']}.")


def _changes(changes: dict[str, Any]) -> Section:
    if changes["since"] is None:
        return Section("changes", "Changes", text=["No previous review: everything is new."])
    items = [Item(kind, f": {item}") for kind in CHANGE_KINDS for item in changes[kind]]
    return Section("changes", f"Changes since {changes['since']}", items=items,
                   text=[] if items else ["No change."])


def _cloudtrail_reads(reads: list[dict[str, Any]]) -> Section:
    section = Section("reads", "Who read customer data in the period", text=[
        "Why each read happened is attested (ACCESS-LOGGED's attestation), not read."])
    if not reads:
        section.text.insert(0, "No read of a watched bucket logged in the period.")
        return section
    section.table = Table(("principal", "reads", "objects", "denied", "buckets", "sessions",
                           "last"),
                          [[r["principal"], str(r["reads"]), str(r["objects"]), str(r["denied"]),
                            _counts(r["buckets"]), ", ".join(r["sessions"]), r["last"] or ""]
                           for r in reads], [bool(r["denied"]) for r in reads])
    return section


def _database_reads(reads: list[dict[str, Any]] | None) -> Section:
    section = Section("database-reads", "Who read tenant tables, from the database's log")
    if reads is None:
        section.text = ["The database's log was not read (no --database-log)."]
    elif not reads:
        section.text = ["No read of a tenant table logged in the period."]
    else:
        section.table = Table(("principal", "reads", "tables", "denied", "sessions",
                               "connections", "last"),
                              [[r["principal"], str(r["reads"]), _counts(r["tables"]),
                                str(r["denied"]), str(len(r["sessions"])), str(r["connections"]),
                                r["last"] or ""] for r in reads],
                              [bool(r["denied"]) for r in reads])
    return section


def _row(row: dict[str, Any]) -> list[str]:
    return [row["principal"], row["resource"], row["level"], "; ".join(row["via"]),
            row["last_used"] or "never / not exposed",
            "" if row["reads_in_period"] is None else str(row["reads_in_period"]),
            row["roster"] or "NOT ON ROSTER", ", ".join(row["flags"])]


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} ({n})" for name, n in counts.items())


# -- Markdown ------------------------------------------------------------------------------------

def markdown(document: dict[str, Any]) -> str:
    """The summary for the pull request (review.md)."""
    lines = [f"# Access review {document['review_id']}", "", _heading(document)]
    for section in outline(document):
        lines += ["", f"## {section.title}", ""]
        body = [f"- {_md_lead(item)}{_cell(item.rest)}" for item in section.items]
        if section.table:
            body += ["| " + " | ".join(section.table.header) + " |",
                     "|" + "---|" * len(section.table.header)]
            body += ["| " + " | ".join(_cell(c) for c in row) + " |"
                     for row in section.table.rows]
        for paragraph in section.text:
            body += ["", paragraph] if body else [paragraph]
        lines += body
    return "\n".join(lines) + "\n"


def _md_lead(item: Item) -> str:
    return {"strong": f"**{item.lead}**", "code": f"`{item.lead}`"}.get(item.style, item.lead)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# -- HTML ----------------------------------------------------------------------------------------

def html(document: dict[str, Any]) -> str:
    """The summary as one self-contained page (review.html)."""
    title = f"Access review {document['review_id']}"
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{escape(title)}</h1><p>{escape(_heading(document))}</p>",
             "<div class=\"figures\">"]
    for name, count in figures(document).items():
        alert = " alert" if count and name in ATTENTION else ""
        parts.append(f"<div class=\"figure{alert}\" data-figure=\"{escape(name)}\">"
                     f"<b>{count}</b>{escape(name)}</div>")
    parts.append("</div>")
    parts += [_html_section(section) for section in outline(document)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_section(section: Section) -> str:
    alert = " class=\"alert\"" if section.alert else ""
    out = [f"<section id=\"{section.key}\"><h2>{escape(section.title)}</h2>"]
    if section.items:
        out.append(f"<ul{alert}>" + "".join(
            f"<li>{_html_lead(item)}{escape(item.rest)}</li>" for item in section.items)
                   + "</ul>")
    if section.table:
        table = section.table
        head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
        alerts = table.alert or [False] * len(table.rows)
        body = "".join(_html_row(row, alerted) for row, alerted in zip(table.rows, alerts,
                                                                        strict=True))
        out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    out += [f"<p>{escape(text)}</p>" for text in section.text]
    return "".join(out) + "</section>"


def _html_row(cells: list[str], alerted: bool) -> str:
    opening = '<tr class="alert">' if alerted else "<tr>"
    return opening + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"


def _html_lead(item: Item) -> str:
    tag = {"strong": "strong", "code": "code"}.get(item.style)
    return f"<{tag}>{escape(item.lead)}</{tag}>" if tag else escape(item.lead)
