"""Event marks come from the runs' event logs: what happened in each scenario, when, and in how many runs."""

import re
import shutil
from html.parser import HTMLParser

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

from tests.report.conftest import HISTORY, marked_events, write_store
from tests.report.test_figures import _jobs
from viachilena.experiments import figures, report, tables
from viachilena.experiments.results import ReportData

REPLICATIONS = 11  # strike starts 0, 3, ..., 30 days after 1 October 1972 in the second scenario


def _drawn(directory, monkeypatch) -> dict:
    """The figures a report of `directory` queues (all of them: none kept from an earlier build), by name."""
    shutil.rmtree(directory / "figures", ignore_errors=True)
    return {job.stem.split("-", 1)[1]: job for job in _jobs(directory, monkeypatch)}


def _marks(directory):
    """The events table and the marks a report of `directory` draws."""
    results = ReportData(directory)
    runs = report._finished_runs(results)
    table = tables.event_marks(tables.mark_events(results), runs, HISTORY, tables.scenario_ends(results))
    return table, *report._marks(table, list(runs))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return write_store(
        tmp_path_factory.mktemp("marks") / "store", scenarios=("conciliate", "back"), replications=REPLICATIONS
    )


def test_an_event_that_never_happens_in_a_scenario_has_no_mark_there(store):
    table, marks, _ = _marks(store)
    assert set(table.loc[table["scenario"] == "back", "event"]) == {"Municipal election", "October strike"}
    (cabinet,) = [m for m in marks if "Military cabinet" in m.text]
    assert cabinet.text.startswith("conciliate: Turn to conciliate; Military cabinet, 02 Nov 1972")
    assert cabinet.colour == figures.OKABE_ITO[0] and cabinet.start == pd.Timestamp("1972-11-02")
    assert not any("back" in m.text and "cabinet" in m.text for m in marks)


def test_an_event_the_same_in_every_run_is_one_grey_line_without_a_whisker(store):
    _, marks, _ = _marks(store)
    (election,) = [m for m in marks if "Municipal election" in m.text]
    assert election.text == "Municipal election, 04 Apr 1971"
    assert election.colour == figures.GREY and election.end is None and election.spreads() == []


def test_spread_dates_get_whiskers_whose_ends_are_the_stated_quantiles(store, monkeypatch):
    _, marks, windows = _marks(store)
    starts = pd.Timestamp("1972-10-01") + pd.to_timedelta(3 * np.arange(REPLICATIONS), "D")
    low, median, high = starts[1], starts[5], starts[9]  # 10%, 50%, 90% of 11 runs: no interpolation needed
    (spread,) = [m for m in marks if m.text.startswith("back: October strike")]
    assert (spread.low, spread.start, spread.high) == (low, median, high)
    four_weeks = pd.Timedelta(days=28)
    assert (spread.end_low, spread.end, spread.end_high) == (low + four_weeks, median + four_weeks, high + four_weeks)
    assert spread.text == f"back: October strike, {median:%d %b} to {median + four_weeks:%d %b %Y} (medians)"
    assert windows == [("October strike", pd.Timestamp("1972-10-01") + pd.Timedelta(days=3), high + four_weeks)]
    fan = _drawn(store, monkeypatch)["fan-gdp"]
    with figures.styled(store):
        fig = fan.draw(fan.data, fan.title, fan.source)
    main = fig.axes[0]
    whiskers = sorted(
        tuple(map(float, line.get_xdata())) for line in main.get_lines() if line.get_gid() == f"spread {spread.number}"
    )
    expected = [
        tuple(map(float, mdates.date2num(ends))) for ends in ([low, high], [low + four_weeks, high + four_weeks])
    ]
    assert whiskers == expected  # day numbers: whole days, exact


def test_a_strike_decided_months_later_in_another_scenario_is_not_zoomed_with_the_first(tmp_path):
    def later(index, scenario, replication):
        if index < 2:
            return marked_events(index, scenario, replication)
        return [
            ("1973-07-10", "strike_start", "october_strike", "its first strike comes in July 1973"),
            ("1973-08-07", "strike_end", "october_strike", "900 trucks withdrawn, 0 requisitioned"),
        ]

    scenarios = ("conciliate", "back", "demobilise_earlier")
    directory = write_store(tmp_path / "store", scenarios=scenarios, replications=REPLICATIONS, events=later)
    _, marks, windows = _marks(directory)
    starts = pd.Timestamp("1972-10-01") + pd.to_timedelta(3 * np.arange(REPLICATIONS), "D")
    assert windows == [("October strike", starts[1], starts[9] + pd.Timedelta(days=28))]
    assert any(m.text.startswith("demobilise_earlier: October strike") for m in marks)  # still marked


def test_a_rare_event_is_listed_but_not_marked(tmp_path):
    def rare(index, scenario, replication):
        found = marked_events(index, scenario, replication)
        return found if replication < 1 else [e for e in found if not e[1].startswith("strike")]

    table, marks, windows = _marks(write_store(tmp_path / "store", replications=REPLICATIONS, events=rare))
    (strike,) = table[table["event"] == "October strike"].itertuples()
    assert (strike.happened, strike.runs) == (1, REPLICATIONS) and strike.share < report.MIN_SHARE
    assert not any("October strike" in m.text for m in marks) and windows == []

    def some(index, scenario, replication):
        return rare(index, scenario, 0 if replication < 3 else 1)

    _, marks, _ = _marks(write_store(tmp_path / "some", replications=REPLICATIONS, events=some))
    (strike,) = [m for m in marks if "October strike" in m.text]
    assert strike.text.endswith(f"(in 3 of {REPLICATIONS} runs)")


def test_a_strike_still_on_when_the_run_ends_ends_on_the_last_day(tmp_path):
    def unended(index, scenario, replication):
        return [e for e in marked_events(1, scenario, replication) if e[1] != "strike_end"]

    directory = write_store(tmp_path / "store", replications=3, events=unended)
    results = ReportData(directory)
    runs = report._finished_runs(results)
    table = tables.event_marks(tables.mark_events(results), runs, HISTORY, {"baseline": pd.Timestamp("1973-09-11")})
    (strike,) = table[table["event"] == "October strike"].itertuples()
    assert strike.end == strike.end_q10 == strike.end_q90 == pd.Timestamp("1973-09-11")


class _Tables(HTMLParser):
    """The cells of each table of an HTML page, by the table's id."""

    def __init__(self):
        super().__init__()
        self.found, self.table, self.cell = {}, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.table = self.found.setdefault(dict(attrs).get("id"), [])
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.table[-1].append(self.cell.strip())
            self.cell = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def test_the_events_table_of_the_page_lists_what_the_runs_events_say(store):
    page = report.build_report(store, HISTORY, workers=1)
    parser = _Tables()
    parser.feed(page.read_text())
    (stem,) = [s for s in parser.found if s and re.fullmatch(r"\d+-events", s)]
    header, *rows = parser.found[stem]
    shown = [dict(zip(header, row, strict=True)) for row in rows]
    by_event = {(r["scenario"], r["event"]): r for r in shown}
    assert set(by_event) == {
        (report.EVERY_SCENARIO, "Municipal election"),
        ("conciliate", "Turn to conciliate; Military cabinet"),
        ("conciliate", "October strike"),
        ("back", "October strike"),
    }
    record = by_event[("conciliate", "October strike")]
    assert (record["date"], record["end"], record["happened"]) == ("1972-10-09", "1972-11-05", str(REPLICATIONS))
    assert (record["record date"], record["record end"]) == ("1972-10-09", "1972-11-05")  # the record, beside it
    back = by_event[("back", "October strike")]
    assert (back["date q10"], back["date"], back["date q90"]) == ("1972-10-04", "1972-10-16", "1972-10-28")
    assert by_event[("conciliate", "Turn to conciliate; Military cabinet")]["record date"] == "1972-11-02"


def test_the_record_is_a_layer_of_its_own_on_the_record_figure(store, monkeypatch):
    jobs = _drawn(store, monkeypatch)
    labels = {}
    for name in ("record", "fan-gdp"):
        job = jobs[name]
        with figures.styled(store):
            fig = job.draw(job.data, job.title, job.source)
        legend = next(ax.get_legend() for ax in fig.axes if ax.get_label() == "key")
        labels[name] = [t.get_text() for t in legend.get_texts()]
    recorded = [label for label in labels["record"] if "in Chile:" in label]
    assert len(recorded) == len(HISTORY.events) and recorded[0].startswith("A in Chile:")
    assert not any("in Chile" in label for label in labels["fan-gdp"])
    assert any(re.match(r"\d+ Municipal election", label) for label in labels["fan-gdp"])  # the runs' mark
