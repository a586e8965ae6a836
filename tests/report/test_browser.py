"""End to end: headless Chromium opens report.html offline, every image loads, nothing overflows at 1400 px."""

import json
import re
import subprocess
from pathlib import Path

from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
CHECK = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);
  const out = document.createElement("pre");
  out.id = "render-check";
  const root = document.documentElement;
  const wide = Array.from(document.querySelectorAll("table, pre, figure, dl"))
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > root.clientWidth + 1)
    .map(e => e.id || e.tagName);
  out.textContent = JSON.stringify({images: images.length, broken: broken,
                                    tables: document.querySelectorAll("table").length,
                                    width: root.clientWidth, scroll_width: root.scrollWidth, wide: wide});
  document.body.appendChild(out);
});
</script>"""


WIDTH = 1400


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM.exists(), "chromium is missing: run .ci/install-chromium"
    return subprocess.run(
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
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},1000",
            "--virtual-time-budget=10000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def _render(page: Path, profile: Path) -> dict:
    result = _chromium(profile, "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="render-check">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def test_page_renders_every_image_and_fits_1400_px(built, tmp_path):
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
    assert rendered["width"] == WIDTH
    assert rendered["scroll_width"] <= rendered["width"], rendered
    assert rendered["wide"] == []


def test_check_sees_a_missing_image(report_of, tmp_path):
    page = (report_of("replications") / "report.html").read_text()
    check = tmp_path / "report-check.html"
    check.write_text(page.replace("</body>", '<img src="figures/missing.png">' + CHECK + "</body>"))
    rendered = _render(check, tmp_path / "profile")
    assert len(rendered["broken"]) == rendered["images"]


def test_screenshot_at_1400_px(report_of, tmp_path):
    shot = tmp_path / "report.png"
    _chromium(tmp_path / "profile", f"--screenshot={shot}", (report_of("scenarios") / "report.html").as_uri())
    with Image.open(shot) as image:
        assert image.size[0] == WIDTH
        colours = image.convert("L").getextrema()
    assert colours[0] < 100 < colours[1]  # something was drawn on the page


def test_overflow_check_sees_a_wide_table(report_of, tmp_path):
    page = (report_of("replications") / "report.html").read_text()
    wide = '<table id="too-wide"><tr><td style="white-space: nowrap">' + "x" * 400 + "</td></tr></table>"
    check = tmp_path / "report-check.html"
    check.write_text(page.replace("</body>", wide + CHECK + "</body>"))
    rendered = _render(check, tmp_path / "profile")
    assert rendered["scroll_width"] > rendered["width"] or "too-wide" in rendered["wide"]
