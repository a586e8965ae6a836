"""Figures: no two text labels overlap, events are drawn only where they happen, the style is overridable."""

import itertools

import pandas as pd
import pytest
from matplotlib.text import Text

from tests.report.conftest import HISTORY, KINDS, write_store
from viachilena.experiments import figures, report
from viachilena.experiments.results import ReportData


def _jobs(directory, monkeypatch) -> list:
    """The figures a report of `directory` draws (queued, not drawn)."""
    found = []
    monkeypatch.setattr(report._Writer, "draw", lambda self: found.extend(self.jobs))
    report.build_report(directory, HISTORY, workers=1)
    return found


def _out_of_view(fig) -> set[int]:
    """Tick labels matplotlib keeps but does not draw (their tick lies outside the axis' view)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - 1e-9 * abs(high - low) <= tick.get_loc() <= high + 1e-9 * abs(high - low):
                    hidden.update({id(tick.label1), id(tick.label2)})
    return hidden


def _labels(fig) -> list[tuple[str, object]]:
    """Every drawn, non-empty text of a figure with its box on the canvas."""
    renderer = fig.canvas.get_renderer()
    hidden = _out_of_view(fig)
    texts = []
    for text in fig.findobj(Text):
        axes = text.axes
        if not text.get_visible() or not text.get_text().strip() or (axes is not None and not axes.get_visible()):
            continue
        if id(text) not in hidden:
            texts.append((text.get_text(), text.get_window_extent(renderer)))
    return texts


@pytest.fixture(scope="module", params=list(KINDS))
def drawn(request, tmp_path_factory):
    directory = write_store(tmp_path_factory.mktemp(request.param) / "store", **KINDS[request.param])
    with pytest.MonkeyPatch.context() as patch:
        jobs = _jobs(directory, patch)
    result = []
    for job in jobs:
        with figures.styled(directory):
            fig = job.draw(job.data, job.title, job.source)
            fig.draw_without_rendering()  # as saving draws it: legends and ticks placed on the frozen layout
            result.append((job.stem, fig))
    return result


def test_no_two_text_labels_overlap(drawn):
    checked = 0
    for stem, fig in drawn:
        labels = _labels(fig)
        assert len(labels) > 5, stem
        for (a, box_a), (b, box_b) in itertools.combinations(labels, 2):
            assert not box_a.overlaps(box_b), f"{stem}: {a!r} overlaps {b!r}"
        checked += 1
    assert checked == len(drawn) > 0


def test_the_overlap_check_sees_an_overlap():
    with figures.styled():
        fig = figures._figure(2.0, 3.0)
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "one label")
        ax.text(0.52, 0.5, "another label")
        fig.draw_without_rendering()
    boxes = [box for text, box in _labels(fig) if "label" in text]
    assert boxes[0].overlaps(boxes[1])


def test_an_event_is_drawn_only_in_the_scenarios_that_have_it(tmp_path, monkeypatch):
    directory = write_store(tmp_path / "store", scenarios=("baseline", "no_strike"), replications=2)
    manifest = ReportData(directory).manifest
    for scenario, on in (("baseline", True), ("no_strike", False)):
        manifest["scenario_params"][scenario]["october_strike"] = {"enabled": on}
    (directory / "manifest.json").write_text(pd.io.json.ujson_dumps(manifest))
    marks, windows = report._marks(ReportData(directory), HISTORY)
    strike = [m for m in marks if m.text.startswith("October strike")]
    assert len(strike) == 1 and strike[0].text.endswith("(only in baseline)")
    assert [w[0] for w in windows] == ["October strike", "July 1973 strike"]
    (only_no_strike,) = [m for m in marks if "no_strike" in m.text]  # the date that scenario moves
    assert only_no_strike.colour == figures.OKABE_ITO[1]
    manifest["scenario_params"]["baseline"]["october_strike"] = {"enabled": False}
    (directory / "manifest.json").write_text(pd.io.json.ujson_dumps(manifest))
    marks, windows = report._marks(ReportData(directory), HISTORY)
    assert not any(m.text.startswith("October strike") for m in marks)
    assert [w[0] for w in windows] == ["July 1973 strike"]


def test_a_moved_strike_window_is_drawn_on_its_own_dates(tmp_path):
    directory = write_store(tmp_path / "store", scenarios=("baseline", "late"), replications=2)
    manifest = ReportData(directory).manifest
    manifest["scenario_params"]["late"]["october_strike"] = {
        "enabled": True,
        "window": {"start": "1972-10-13", "end": "1972-11-05"},
    }
    (directory / "manifest.json").write_text(pd.io.json.ujson_dumps(manifest))
    marks, _ = report._marks(ReportData(directory), HISTORY)
    strike = {m.start: m for m in marks if m.text.startswith("October strike")}
    assert set(strike) == {pd.Timestamp("1972-10-09"), pd.Timestamp("1972-10-13")}
    assert strike[pd.Timestamp("1972-10-13")].text.endswith("(only in late)")
    assert strike[pd.Timestamp("1972-10-09")].colour == figures.GREY


def test_a_style_file_in_the_folder_overrides_the_report_style(tmp_path):
    with figures.styled(tmp_path):
        default = figures._figure(1.0).get_facecolor()
    (tmp_path / figures.USER_STYLE).write_text("figure.facecolor: 0.5\n")
    with figures.styled(tmp_path):
        assert figures._figure(1.0).get_facecolor() != default
        assert figures._figure(1.0).get_facecolor()[:3] == pytest.approx((0.5, 0.5, 0.5))


def test_shares_are_shown_in_percent_and_their_differences_in_points():
    assert figures.readable("share, Dec-Dec") == (100.0, "%, Dec-Dec")
    assert figures.readable("share of nominal GDP", difference=True) == (100.0, "percentage points of nominal GDP")
    assert figures.readable("unmet over desired spending on goods") == (100.0, "%")
    assert figures.readable("US$m") == (1.0, "US$m")
