"""The `coldstart` HTML page in a real headless Chromium: it renders a chart per handler,
zooms on click, shows the chain on hover, and logs nothing but what the test asks for.

Needs Chromium (Debian: `apt-get install chromium`); skipped when none is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from lambda_lint.cli import main

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cold-start"
BROWSER = next(
    (
        shutil.which(name)
        for name in ("chromium", "chromium-browser", "google-chrome")
        if shutil.which(name)
    ),
    None,
)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium on this machine (Debian: apt-get install chromium)"
)

#: appended to a copy of the page: clicks the sklearn cell, hovers it, logs what it sees
PROBE = """
<script>
window.addEventListener("load", function () {
  function cell(prefix) {
    return Array.prototype.find.call(document.querySelectorAll(".cell"), function (c) {
      return c.textContent.indexOf(prefix + " ") === 0;
    });
  }
  console.log("probe: sklearn width before " + cell("sklearn").style.width);
  cell("sklearn").dispatchEvent(new MouseEvent("click", {bubbles: true}));
  console.log("probe: sklearn width after " + cell("sklearn").style.width);
  cell("sklearn").dispatchEvent(new MouseEvent("mousemove", {bubbles: true, clientX: 20, clientY: 20}));
  console.log("probe: tip " + document.getElementById("tip").textContent);
  cell("report").dispatchEvent(new MouseEvent("click", {bubbles: true}));
  console.log("probe: sklearn width zoomed out " + cell("sklearn").style.width);
});
</script>
"""


def browse(page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and the console messages it logged."""
    completed = subprocess.run(
        [
            BROWSER,  # type: ignore[list-item]
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    console = re.findall(r':CONSOLE[^\]]*\] "(.*)", source:', completed.stderr)
    return completed.stdout, console


def test_page_renders_zooms_and_logs_no_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURE)
    page = tmp_path / "coldstart.html"
    result = CliRunner().invoke(
        main, ["coldstart", ".", "--output-format", "html", "--output", str(page)]
    )
    assert result.exit_code == 0, result.output

    dom, console = browse(page, tmp_path / "plain-profile")
    assert console == []  # no errors, no warnings, nothing
    titles = re.findall(r"<h2>([^<]*)</h2>", dom)
    assert titles == ["orders.handler", "receipts.handler", "report.handler"]
    assert re.search(r'class="cell project"[^>]*>report [\d,.]+ ms<', dom)
    assert re.search(r'class="cell heavy"[^>]*>sklearn [\d,.]+ ms<', dom)

    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"))
    _, console = browse(probed, tmp_path / "probe-profile")
    assert all(message.startswith("probe: ") for message in console), console
    logged = dict(message[len("probe: ") :].rsplit(" ", 1) for message in console[:2])
    before = float(logged["sklearn width before"].rstrip("%"))
    assert 20 < before < 100
    assert logged["sklearn width after"] == "100%"
    assert "report → sklearn" in console[2]
    zoomed_out = float(console[3].rsplit(" ", 1)[1].rstrip("%"))
    assert zoomed_out == pytest.approx(before)
