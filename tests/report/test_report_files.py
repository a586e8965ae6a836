"""Every kind of experiment gets a complete report whose links all resolve."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from viachilena.experiments.report import build_report


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                (self.external if ":" in value or value.startswith("//") else self.links).append(value)


def _html_links(directory: Path) -> _Links:
    parser = _Links()
    parser.feed((directory / "report.html").read_text())
    return parser


def test_every_linked_file_exists(built):
    links = _html_links(built)
    assert links.links, "the page links no figure or table"
    assert links.external == [], "the page must open offline"
    for link in links.links:
        assert (built / link).is_file(), link


def test_markdown_links_exist(built):
    links = re.findall(r"\]\(([^)]+)\)", (built / "report.md").read_text())
    assert links
    for link in links:
        assert (built / link).is_file(), link


def test_every_figure_has_png_svg_pdf_and_its_table(built):
    images = [link for link in _html_links(built).links if link.endswith(".png")]
    assert images
    for image in images:
        stem = Path(image).stem
        assert (built / "figures" / f"{stem}.svg").read_bytes().lstrip().startswith(b"<?xml")
        assert (built / "figures" / f"{stem}.pdf").read_bytes()[:5] == b"%PDF-"
        assert (built / "tables" / f"{stem}.csv").stat().st_size > 0
        png = (built / image).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(built / image) as opened:
            assert opened.info["dpi"] == pytest.approx((300, 300), abs=0.1)


# Which optional sections each kind of experiment has.
SECTIONS = {
    "replications": (),
    "scenarios": ("Scenario comparisons",),
    "sweep": ("Parameter sweep", "Mean of each metric over the a × b grid"),
    "sensitivity": ("Parameter sweep", "Sensitivity"),
    "real_grid": (
        "Scenario comparisons",
        "Parameter sweep",
        "Mean of each metric over the hoarding.propensity × popular_power.belts grid",
    ),
    "real_saltelli": ("Scenario comparisons", "Parameter sweep", "Sensitivity"),
}


def test_sections_match_the_kind_of_experiment(built):
    page = (built / "report.html").read_text()
    kind = built.parent.name.rstrip("0123456789")
    for text in ("Summary metrics", "Time series", "Validation against the historical record"):
        assert text in page
    for optional in {text for texts in SECTIONS.values() for text in texts}:
        assert (optional in page) == (optional in SECTIONS[kind]), optional


def test_header_names_input_files_relative_to_the_experiment(report_of):
    directory = report_of("real_grid")
    page = (directory / "report.html").read_text()
    files = re.findall(r"<code>([^<]+)</code> sha256", page)
    assert any(f.endswith("params/baseline.toml") for f in files) and "real_grid.toml" in files
    assert not any(Path(f).is_absolute() for f in files)
    assert str(directory.parent) not in page


def test_header_says_what_ran(report_of):
    page = (report_of("scenarios") / "report.html").read_text()
    for text in (
        "synthetic",
        "A synthetic store for report tests.",
        "9 (1 failed)",
        "1970–1972",
        "0123456789abcdef",
        "params/base.toml",
        "ab" * 32,
    ):
        assert text in page, text


def test_rebuild_replaces_stale_files(fresh_store):
    directory = fresh_store
    build_report(directory)
    (directory / "figures" / "stale.png").write_bytes(b"old")
    build_report(directory)
    assert not (directory / "figures" / "stale.png").exists()
    assert (directory / "report.html").is_file()


def test_an_unchanged_rebuild_keeps_its_figures_and_a_change_redraws(fresh_store):
    build_report(fresh_store, workers=1)
    figures = sorted((fresh_store / "figures").glob("*.png"))
    drawn = {f.name: f.stat().st_mtime_ns for f in figures}
    build_report(fresh_store, workers=1)
    assert {f.name: f.stat().st_mtime_ns for f in figures} == drawn
    (fresh_store / "report.mplstyle").write_text("figure.facecolor: 0.9\n")
    build_report(fresh_store, workers=1)
    assert all(f.stat().st_mtime_ns != drawn[f.name] for f in figures)
