"""End to end: headless Chromium opens report.html offline and every image loads."""

import json
import re
import subprocess
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHECK = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);
  const out = document.createElement("pre");
  out.id = "render-check";
  out.textContent = JSON.stringify({images: images.length, broken: broken,
                                    tables: document.querySelectorAll("table").length});
  document.body.appendChild(out);
});
</script>"""


def _render(page: Path, profile: Path) -> dict:
    assert CHROMIUM.exists(), "chromium is missing: run .ci/install-chromium"
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = re.search(r'<pre id="render-check">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def test_page_renders_with_every_image(built, tmp_path):
    page = (built / "report.html").read_text()
    check = built / "report-check.html"
    check.write_text(page.replace("</body>", CHECK + "</body>"))
    try:
        rendered = _render(check, tmp_path / "profile")
    finally:
        check.unlink()
    assert rendered["broken"] == []
    assert rendered["images"] == page.count("<img ")
    assert rendered["images"] > 0 and rendered["tables"] > 0


def test_check_sees_a_missing_image(report_of, tmp_path):
    page = (report_of("replications") / "report.html").read_text()
    check = tmp_path / "report-check.html"
    check.write_text(page.replace("</body>", '<img src="figures/missing.png">' + CHECK + "</body>"))
    rendered = _render(check, tmp_path / "profile")
    assert len(rendered["broken"]) == rendered["images"]
