"""What real headless Chromium rendered of a page: a harness loads the page in a frame, runs a
probe (a JavaScript expression over `doc`, `win`, `style(e)` and `shown(e)`) and writes its JSON
into its own DOM, which --dump-dom returns. The page itself runs no script."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from trustctl.evidence.browser import run_chromium

HARNESS = """<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="page" src="PAGE" style="width:1280px;height:3000px"></iframe>
<script>
document.getElementById('page').addEventListener('load', () => {
  const frame = document.getElementById('page');
  const doc = frame.contentDocument, win = frame.contentWindow;
  const style = e => win.getComputedStyle(e);
  const shown = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  document.getElementById('result').textContent = JSON.stringify(PROBE);
});
</script></body></html>"""


def rendered(page: Path, probe: str, work: Path) -> dict:
    """The probe's result over `page` as Chromium laid it out (`work` holds the harness)."""
    harness = work / "harness.html"
    harness.write_text(HARNESS.replace("PAGE", page.resolve().as_uri()).replace("PROBE", probe))
    dom = run_chromium("--allow-file-access-from-files", "--virtual-time-budget=10000",
                       "--dump-dom", harness.as_uri())
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert found, dom[:500]
    return json.loads(unescape(found.group(1)))
