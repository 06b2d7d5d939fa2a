"""The evidence report as one self-contained HTML page: no script, no network, prints on A4/Letter.

Read top-down in a minute: the summary figures, the gaps in red, each control's status; then
the operating history (backup calendar, drill objectives as an inline SVG chart, audits over
time) and, per control, every piece of evidence with its time and hash.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

STATUS_LABEL = {"verified": "verified", "failed": "failed", "excepted": "excepted",
                "attested": "attested (not verified)", "not_checked": "not checked"}
CSS = """
:root { --red: #b00020; --green: #1b6e3a; --amber: #8a5a00; --blue: #1f4e8c; --grey: #666; }
body { font: 10.5pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111;
       margin: 2em auto; max-width: 60em; padding: 0 1em; }
h1 { font-size: 18pt; margin-bottom: 0.2em; } h2 { font-size: 13pt; margin-top: 1.6em;
  border-bottom: 1px solid #ccc; } h3 { font-size: 11pt; margin: 1.2em 0 0.3em; }
.meta { color: var(--grey); font-size: 9pt; }
.figures { display: flex; flex-wrap: wrap; gap: 0.5em; margin: 1em 0; }
.figure { border: 1px solid #ccc; border-radius: 4px; padding: 0.4em 0.8em; min-width: 6.5em; }
.figure b { display: block; font-size: 16pt; }
.status-verified { color: var(--green); } .status-failed, .gap, .missed b { color: var(--red); }
.status-excepted { color: var(--amber); } .status-attested { color: var(--blue); }
.status-not_checked { color: var(--grey); }
.gap { font-weight: 600; } .gaps li { margin: 0.15em 0; }
.banner { border: 2px solid var(--red); color: var(--red); padding: 0.5em 0.8em;
  font-weight: 600; }
.banner.ok { border-color: var(--green); color: var(--green); }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border-bottom: 1px solid #ddd; padding: 0.2em 0.4em; text-align: left;
  vertical-align: top; }
td.hash { font-family: ui-monospace, monospace; font-size: 7.5pt; word-break: break-all; }
.calendar { display: flex; flex-wrap: wrap; gap: 1em; }
.month table { width: auto; }
.month td { width: 1.9em; text-align: center; border: 1px solid #ddd; }
td.day-ok { background: #d8f0df; } td.day-missed { background: var(--red); color: #fff;
  font-weight: 700; } td.day-out { color: #bbb; }
.control { break-inside: avoid-page; border-top: 1px solid #ccc; padding-top: 0.3em; }
.attested-note { color: var(--blue); font-style: italic; }
.not-production { position: fixed; top: 0; left: 0; right: 0; background: var(--red);
  color: #fff; text-align: center; font-weight: 700; padding: 0.2em; z-index: 1; }
body.sandbox { padding-top: 2em; }
.signing { border: 1px solid #ccc; padding: 0.4em 0.8em; font-size: 9pt; }
.signing.unsigned { border-color: var(--red); color: var(--red); font-weight: 600; }
@page { margin: 14mm; }  /* A4 or Letter: whatever the printer has */
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  h2 { break-after: avoid-page; } .figures, .calendar, svg, tr { break-inside: avoid; }
  td.day-missed, td.day-ok, .banner, .not-production { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
}
"""


def render_html(report: dict[str, Any]) -> str:
    period = report["period"]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Claver SOC 2 evidence {period['from']} to {period['to']}</title>",
        f"<style>{CSS}</style></head>", *_environment(report),
        "<h1>Claver security page: SOC 2 Type II evidence</h1>", _signing(report),
        f'<p class="meta">Observation period {period["from"]} to {period["to"]} '
        f'({counted(period["days"], "day")}). Generated {escape(report["generated_at"])} by '
        f'trustctl {escape(report["code_version"])}, catalog {escape(report["catalog_version"])}. '
        f'Built from {report["summary"]["records"]} records; every file of this report is '
        "listed with its SHA-256 in manifest.json (check with <code>trustctl evidence verify"
        "</code>).</p>",
        _summary(report), _record_problems(report), _gaps(report), _left_out(report),
        _job_outcomes(report), _exceptions(report), _overview(report),
        "<h2>Operating history</h2>",
        _calendar(report), _drills(report), _audits(report), _access_reviews(report),
        "<h2>Controls in detail</h2>", *(_control(c) for c in report["controls"]),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _environment(report: dict[str, Any]) -> list[str]:
    """A report for anything but production says so on every screen and printed page (a
    fixed banner repeats on each page when printed)."""
    if report["environment"] == "production":
        return ["<body>"]
    return ['<body class="sandbox">',
            f'<div class="not-production" id="environment">NOT PRODUCTION: built from '
            f'{escape(report["environment"])} records (a local stand-in); proves nothing about '
            "the production estate</div>"]


def _signing(report: dict[str, Any]) -> str:
    """Signed or not, by which key (its fingerprint, to compare with the one pinned)."""
    signing = report["signing"]
    if not signing.get("signed"):
        return ('<p class="signing unsigned" id="signing">NOT SIGNED: nothing proves who '
                "wrote this report; treat it as a draft.</p>")
    return (f'<p class="signing" id="signing">Signed (manifest.sig.json) with KMS key '
            f'<code>{escape(str(signing["key_id"]))}</code>, public key fingerprint '
            f'<code>{escape(signing["fingerprint"])}</code>: check with <code>trustctl evidence '
            "verify DIR --fingerprint</code> and the fingerprint published for the key.</p>")


def _record_problems(report: dict[str, Any]) -> str:
    if not report["record_problems"]:
        return ""
    items = "".join(f'<li class="gap"><b>{escape(p["where"])}</b>: {escape(p["what"])}</li>'
                    for p in report["record_problems"])
    return ('<h2>Records that are not whole</h2><p class="banner">Each is a finding: the '
            "history of records was altered, or a record cannot be read. None of them counts "
            f'as evidence.</p><ul class="gaps" id="record-problems">{items}</ul>')


def _left_out(report: dict[str, Any]) -> str:
    if not report["left_out"]:
        return ""
    rows = [(o["record"], o["why"]) for o in report["left_out"]]
    return (f'<h2>Records left out</h2><p>Not evidence for this {escape(report["environment"])}'
            " report:</p>" + _table(("Record", "Why"), rows, status_column=-1))


def _job_outcomes(report: dict[str, Any]) -> str:
    outcomes = report["job_outcomes"]
    if not outcomes["outcomes"] and not outcomes["unreadable"]:
        return ""
    rows = [(o["job"], o["started"], o["outcome"], " ".join(o["controls"]), o["run"])
            for o in outcomes["outcomes"]]
    rows += [(p["where"], "-", "unreadable", "-", p["what"]) for p in outcomes["unreadable"]]
    s = report["summary"]
    return ("<h2>Scheduled job outcomes</h2><p>Unsigned notes left by every scheduled job, "
            "whatever happened: context only. A success proves nothing (the job's signed "
            "record does); a job that did not succeed is a gap of the controls it names. "
            f"{s['job_outcomes']} outcome(s), {s['job_outcomes_failed']} not successful, "
            f"{s['job_outcomes_unreadable']} unreadable.</p>"
            + _table(("Job", "Started", "Outcome", "Controls", "Run"), rows, status_column=2))


def _summary(report: dict[str, Any]) -> str:
    s = report["summary"]
    figures = [(status, STATUS_LABEL[status], s[status]) for status in STATUS_LABEL]
    figures += [("gaps", "gaps", s["gaps"]),
                ("backup-days", "days with a complete backup",
                 f'{s["backup_days_complete"]}/{s["backup_days_expected"]}'),
                ("drills", f'drills, {s["drills_passed"]} passed', s["drills"]),
                ("audits", f'audits, {s["audits_failed"]} failed', s["audits"])]
    cards = "".join(
        f'<div class="figure{" missed" if key == "gaps" and value else ""}">'
        f'<b class="status-{key}" data-figure="{key}">{value}</b>{escape(label)}</div>'
        for key, label, value in figures)
    verdict = (f'<p class="banner" id="verdict">{s["gaps"]} gap(s) in the period: see below.</p>'
               if s["gaps"] else '<p class="banner ok" id="verdict">No gap in the period.</p>')
    return (f'<h2>Summary</h2><p>{s["controls"]} controls of the security page. A control is '
            "<em>verified</em> only by a machine check (gate, live audit, restore drill, backup "
            "manifests); <em>attested</em> means a person vouches for it and nothing checked it."
            f'</p><div class="figures" id="summary">{cards}</div>{verdict}')


def _gaps(report: dict[str, Any]) -> str:
    if not report["gaps"]:
        return ""
    items = "".join(f'<li class="gap"><b>{escape(g["control"])}</b>: {escape(g["what"])}</li>'
                    for g in report["gaps"])
    return f'<h2>Gaps</h2><ul class="gaps" id="gaps">{items}</ul>'


def _exceptions(report: dict[str, Any]) -> str:
    """Accepted findings still in force at the end of the period: who owns each, until when."""
    rows = [(e["control"] or e["check"], e["resource"], e["reason"], e["owner"], e["expires"])
            for e in report["exceptions_in_force"]]
    if not rows:
        return "<h2>Exceptions in force</h2><p>None.</p>"
    return "<h2>Exceptions in force</h2>" + _table(
        ("Control", "Resource", "Reason", "Owner", "Expires"), rows, status_column=-1)


def _overview(report: dict[str, Any]) -> str:
    rows = "".join(
        f'<tr><td><a href="#{escape(c["id"])}">{escape(c["id"])}</a></td>'
        f'<td>{escape(c["title"])}</td><td>{escape(", ".join(c["soc2"]))}</td>'
        f'<td class="status-{c["status"]}" data-control="{escape(c["id"])}">'
        f'{STATUS_LABEL[c["status"]]}</td><td>{escape("; ".join(c["how_verified"]) or "-")}'
        "</td></tr>" for c in report["controls"])
    return ("<h2>Controls</h2><table><thead><tr><th>Control</th><th>Promise</th><th>SOC 2</th>"
            f"<th>Status</th><th>How verified</th></tr></thead><tbody>{rows}</tbody></table>")


def _calendar(report: dict[str, Any]) -> str:
    days = {dt.date.fromisoformat(d["date"]): d["complete"] for d in report["history"]["backups"]}
    if not days:
        return ""
    months = sorted({(d.year, d.month) for d in days})
    html = ["<h3>Daily backups</h3><p>Each day of the period with its number of complete "
            'backups; <span class="gap">red: no complete backup that day</span>.</p>'
            '<div class="calendar" id="backup-calendar">']
    for year, month in months:
        first = dt.date(year, month, 1)
        cells = ["<td></td>"] * first.weekday()
        day = first
        while day.month == month:
            if day not in days:
                cells.append(f'<td class="day-out">{day.day}</td>')
            else:
                state = "ok" if days[day] else "missed"
                cells.append(f'<td class="day-{state}" data-date="{day}" '
                             f'title="{days[day]} backup(s)">{day.day}</td>')
            day += dt.timedelta(days=1)
        weeks = ["".join(cells[i:i + 7]) for i in range(0, len(cells), 7)]
        body = "".join(f"<tr>{w}</tr>" for w in weeks)
        html.append(f'<div class="month"><b>{first:%B %Y}</b><table><tr>'
                    + "".join(f"<th>{d}</th>" for d in "MTWTFSS") + f"</tr>{body}</table></div>")
    return "".join(html) + "</div>"


def _drills(report: dict[str, Any]) -> str:
    drills = report["history"]["drills"]
    if not drills:
        return '<h3>Restore drills</h3><p class="gap">No restore drill in the period.</p>'
    return ("<h3>Restore drills: RPO and RTO against their objectives</h3>"
            + _drill_chart(drills, report["period"]) + _table(
                ("Finished", "Status", "RPO (h)", "RTO (h)", "Record"),
                [(d["time"], d["status"], _num(d["rpo_hours"]), _num(d["rto_hours"]),
                  d["record"]) for d in drills], status_column=1))


def _drill_chart(drills: list[dict[str, Any]], period: dict[str, Any]) -> str:
    """One point per drill and measure on a date axis (the period), its height the measured
    value as a share of its objective: readable for a quarter of weekly drills; the numbers
    are in the table below it."""
    width, height, left, right, top, bottom = 640, 200, 40, 10, 15, 30
    start = dt.date.fromisoformat(period["from"])
    span = max((dt.date.fromisoformat(period["to"]) - start).days + 1, 1)
    scale = (height - top - bottom) / 150  # up to 150% of the objective
    base = height - bottom

    def x_of(day: dt.date) -> float:
        return left + (day - start).days / span * (width - left - right)

    marks = []
    for drill in drills:
        day = dt.date.fromisoformat(drill["time"][:10])
        for name, shape in (("rpo", "circle"), ("rto", "rect")):
            measured, objective = drill[f"{name}_hours"], drill[f"{name}_objective_hours"]
            if measured is None or not objective:
                continue
            missed = measured > objective
            y = base - min(measured / objective, 1.5) * 100 * scale
            x = x_of(day)
            colour = "#b00020" if missed else "#1b6e3a"
            title = (f"<title>{escape(drill['time'][:10])} {name.upper()} {measured:.2f} h of "
                     f"{objective:.0f} h</title>")
            cls = f'class="point-{"missed" if missed else "met"} point-{name}"'
            marks.append(f'<circle {cls} cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                         f"{title}</circle>" if shape == "circle" else
                         f'<rect {cls} x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" '
                         f'fill="none" stroke="{colour}" stroke-width="1.5">{title}</rect>')
    ticks = []
    day = start
    while day <= start + dt.timedelta(days=span - 1):
        if day.day == 1 or day == start:
            ticks.append(f'<line x1="{x_of(day):.1f}" x2="{x_of(day):.1f}" y1="{base}" '
                         f'y2="{base + 4}" stroke="#666"/><text x="{x_of(day):.1f}" '
                         f'y="{base + 15}" font-size="9">{day:%d %b}</text>')
        day += dt.timedelta(days=1)
    line = base - 100 * scale
    return (f'<svg id="drill-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            'aria-label="Each drill\'s RPO and RTO against their objectives, by date">'
            f'<line x1="{left}" x2="{width - right}" y1="{base}" y2="{base}" stroke="#666"/>'
            f'<line x1="{left}" x2="{width - right}" y1="{line:.1f}" y2="{line:.1f}" '
            'stroke="#b00020" stroke-dasharray="4 3"/>'
            f'<text x="0" y="{line + 3:.1f}" font-size="9">100%</text>'
            f'<text x="0" y="{base:.0f}" font-size="9">0</text>'
            + "".join(ticks) + "".join(marks) + "</svg>"
            "<p class=\"meta\">One mark per drill at its date: dot RPO, square RTO; height: the "
            "measured value as a share of its objective (each drill's own: the page's RPO and "
            "RTO unless the drill was given others); dashed line: the objective; red: missed. "
            "The numbers are in the table.</p>")


def _audits(report: dict[str, Any]) -> str:
    audits = report["history"]["audits"]
    if not audits:
        return "<h3>Live audits</h3><p>No live audit record in the period.</p>"
    return "<h3>Live audits over time</h3>" + _table(
        ("Finished", "Result", "Failed controls", "Record"),
        [(a["time"], a["status"], ", ".join(a["failed_controls"]) or "-", a["record"])
         for a in audits], status_column=1)


def _access_reviews(report: dict[str, Any]) -> str:
    reviews = report["history"]["access_reviews"]
    if not reviews:
        return "<h3>Access reviews</h3><p>No access review record in the period.</p>"
    return "<h3>Access reviews</h3>" + _table(
        ("Finished", "Result", "Record"), [(r["time"], r["status"], r["record"]) for r in reviews],
        status_column=1)


def _control(c: dict[str, Any]) -> str:
    cid = escape(c["id"])
    html = [f'<div class="control" id="{cid}"><h3>{cid}: {escape(c["title"])} '
            f'<span class="status-{c["status"]}">{STATUS_LABEL[c["status"]]}</span></h3>',
            f'<p>&ldquo;{escape(c["promise"])}&rdquo; ({escape(c["section"])}; SOC 2 '
            f'{escape(", ".join(c["soc2"]))})</p>',
            f'<p>How verified: {escape("; ".join(c["how_verified"]) or "no machine check")}</p>']
    html += [f'<p class="gap">Gap: {escape(g["what"])}</p>' for g in c["gaps"]]
    html += [f"<p>Remediated deviation: {escape(d)}</p>" for d in c["deviations"]]
    for a in c["attestations"]:
        state = "EXPIRED" if a["expired"] else "valid"
        html.append(f'<p class="attested-note">Attested (not verified by a machine), {state}: '
                    f'&ldquo;{escape(a["statement"])}&rdquo; Attested by '
                    f'{escape(a["attested_by"])} on {a["attested_on"]}, valid until '
                    f'{a["valid_until"]}. Evidence: {escape(a["evidence"])} '
                    f'({escape(a["file"])})</p>')
    for e in c["exceptions"]:
        html.append(f'<p class="{"gap" if e["expired"] else ""}">Exception '
                    f'{"EXPIRED" if e["expired"] else "in force"}: {escape(e["resource"])}: '
                    f'{escape(e["reason"])} (owner {escape(e["owner"])}, expires '
                    f'{e["expires"]})</p>')
    if c["evidence"]:
        html.append(_table(("Time", "Kind", "Status", "Record", "SHA-256"),
                           [(e["time"], e["kind"], e["status"], e["record"], e["sha256"])
                            for e in c["evidence"]], status_column=2, hash_column=4))
    return "".join(html) + "</div>"


def counted(n: int, word: str) -> str:
    """`1 day`, `2 days`: the report's one way of counting things (HTML and CLI)."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _table(head: tuple[str, ...], rows: list[tuple[Any, ...]], status_column: int,
           hash_column: int | None = None) -> str:
    def cell(i: int, value: Any) -> str:
        cls = ("hash" if i == hash_column else
               "gap" if i == status_column and value in ("fail", "error") else "")
        return f'<td class="{cls}">{escape(str(value))}</td>' if cls else \
            f"<td>{escape(str(value))}</td>"

    body = "".join("<tr>" + "".join(cell(i, v) for i, v in enumerate(row)) + "</tr>"
                   for row in rows)
    return ("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head)
            + f"</tr></thead><tbody>{body}</tbody></table>")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
