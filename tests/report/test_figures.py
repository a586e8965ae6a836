"""Figures: no two text labels overlap, no text runs past the figure's edge, the style is overridable."""

import itertools

import pytest
from matplotlib.text import Text

from tests.report.conftest import HISTORY, KINDS, write_store
from viachilena.experiments import figures, report


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


def test_no_text_is_clipped_at_the_figure_edge(drawn):
    for stem, fig in drawn:
        edge = fig.bbox
        for text, box in _labels(fig):
            inside = edge.x0 - 0.5 <= box.x0 and box.x1 <= edge.x1 + 0.5 and edge.y0 - 0.5 <= box.y0
            assert inside and box.y1 <= edge.y1 + 0.5, f"{stem}: {text!r} at {box} runs past the figure {edge}"


def test_the_clipping_check_sees_a_clipped_title():
    with figures.styled():
        fig = figures._figure(2.0, 3.0)
        fig.text(0.9, 0.5, "a title running past the edge")
        fig.draw_without_rendering()
    (box,) = [box for text, box in _labels(fig) if text.startswith("a title")]
    assert box.x1 > fig.bbox.x1


def test_the_overlap_check_sees_an_overlap():
    with figures.styled():
        fig = figures._figure(2.0, 3.0)
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "one label")
        ax.text(0.52, 0.5, "another label")
        fig.draw_without_rendering()
    boxes = [box for text, box in _labels(fig) if "label" in text]
    assert boxes[0].overlaps(boxes[1])


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
