"""The generated parameter reference in docs/ is current."""

from __future__ import annotations

from tests.conftest import BASELINE, ROOT
from viachilena import model
from viachilena.model.reference import markdown, rows


def test_docs_parameter_reference_is_current():
    text = markdown(model.load_params(BASELINE))
    assert (ROOT / "docs" / "parameters.md").read_text() == text, (
        "run: viachilena params params/baseline.toml > docs/parameters.md"
    )


def test_reference_lists_every_leaf_with_its_unit(baseline_params):
    found = {key: unit for key, _, unit, _ in rows(baseline_params)}
    assert found["hoarding.propensity"] == "share"
    assert found["october_strike.window.start"] == "date"
    assert len(found) > 150
