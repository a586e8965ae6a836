"""The accounting closes every simulated day, whatever the parameters within their ranges."""

from __future__ import annotations

import annotated_types
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import BASELINE
from viachilena import model
from viachilena.model.errors import DegenerateEconomyError


def bounded_fields(cls=model.Params, prefix=""):
    """Every float parameter with both bounds, as (dotted key, low, high)."""
    found = []
    for name, info in cls.model_fields.items():
        key = f"{prefix}{name}"
        if isinstance(info.annotation, type) and issubclass(info.annotation, model.params.Section):
            found += bounded_fields(info.annotation, key + ".")
        elif info.annotation is float:
            low = high = None
            for m in info.metadata:
                if isinstance(m, (annotated_types.Ge, annotated_types.Gt)):
                    low = getattr(m, "ge", getattr(m, "gt", None))
                if isinstance(m, (annotated_types.Le, annotated_types.Lt)):
                    high = getattr(m, "le", getattr(m, "lt", None))
            if low is not None and high is not None:
                found.append((key, float(low), float(high)))
    return found


FIELDS = [f for f in bounded_fields() if not f[0].startswith(("run.", "accounting."))]


@st.composite
def parameter_sets(draw):
    chosen = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=8, unique=True))
    return {key: draw(st.floats(min_value=low, max_value=high, allow_nan=False)) for key, low, high in chosen}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parameter_sets())
def test_identities_close_for_random_parameters(overrides):
    try:
        params = model.load_params(
            BASELINE, overrides={**overrides, "run.end": __import__("datetime").date(1971, 9, 30)}
        )
    except model.ParamError:
        return  # a cross-field rule refused the combination, with a message
    try:
        run = model.simulate(params, seed=3)
    except DegenerateEconomyError as err:
        assert err.day >= 0 and err.quantity
        return
    assert run.series.notna().all().all()
