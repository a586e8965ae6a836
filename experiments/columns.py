"""The columns of an experiment folder's Parquet files: names, Arrow types and units.

Every file is a table the field's tools read as they are: DuckDB
(``SELECT ... FROM 'DIR/series/*.parquet'``), ``pandas.read_parquet('DIR/series')``,
Arrow. So every series and events row carries ``run_id`` and ``scenario``; dates are Parquet
dates (``date32``); each column's unit is in its field's metadata (``unit``), and parameter
columns have names SQL accepts unquoted (``hoarding.propensity`` becomes
``param_hoarding_propensity`` in ``runs.parquet`` and ``hoarding_propensity`` in
``scenarios.parquet``), with the dotted key in the field's metadata (``parameter``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel

from viachilena import model
from viachilena.experiments.spec import SweepTable
from viachilena.model.reference import rows

PARAM_PREFIX = "param_"
UNIT, PARAMETER = b"unit", b"parameter"
RUN_KEYS = (("run_id", pa.string()), ("scenario", pa.string()))
BOOKKEEPING = (*RUN_KEYS, ("point", pa.int64()), ("replication", pa.int64()), ("seed", pa.int64()))
OUTCOME = (("status", pa.string()), ("error", pa.string()), ("wall_time_s", pa.float64()))
EVENT_COLUMNS = (("kind", pa.string()), ("agent", pa.string()), ("detail", pa.string()))
CATEGORY_ARROW_TYPES = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string(), dt.date: pa.date32()}
SQL_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def sql_name(key: str) -> str:
    """Return the column name of the dotted parameter `key`: dots become underscores."""
    name = key.replace(".", "_")
    if not SQL_NAME.match(name):
        raise ValueError(f"parameter {key!r} gives the column name {name!r}, which SQL does not accept unquoted")
    return name


def parameter_column(key: str) -> str:
    """Return the ``runs.parquet`` column of the swept parameter `key`."""
    return PARAM_PREFIX + sql_name(key)


def units(schema: pa.Schema) -> dict[str, str]:
    """Return {column: unit} for the columns of `schema` that carry one."""
    return {f.name: f.metadata[UNIT].decode() for f in schema if f.metadata is not None and UNIT in f.metadata}


def _field(name: str, kind: pa.DataType, unit: str | None = None, parameter: str | None = None) -> pa.Field:
    """An Arrow field with its unit and dotted parameter key as metadata."""
    metadata = {UNIT: unit, PARAMETER: parameter}
    return pa.field(name, kind, metadata={k: v.encode() for k, v in metadata.items() if v is not None} or None)


def run_schema(sweep: SweepTable | None, metrics: Iterable[str]) -> pa.Schema:
    """Return the columns of ``runs.parquet``: bookkeeping, swept parameters, outcome, metrics."""
    swept = []
    for key, parameter in sweep.parameters.items() if sweep else ():
        if parameter.categorical:
            kind = CATEGORY_ARROW_TYPES[type(parameter.values[0])]
        else:
            kind = pa.int64() if parameter.type == "int" else pa.float64()
        swept.append(_field(parameter_column(key), kind, parameter_unit(key), key))
    return pa.schema(
        [
            *(_field(n, k) for n, k in BOOKKEEPING),
            *swept,
            _field("status", pa.string()),
            _field("error", pa.string()),
            _field("wall_time_s", pa.float64(), "s"),
            *(_field(m, pa.float64(), model.METRIC_UNITS.get(m)) for m in metrics),
        ]
    )


def parameter_unit(key: str) -> str | None:
    """Return the unit of the dotted parameter `key` as the parameter tree declares it."""
    node: type[BaseModel] = model.Params
    for part in key.split("."):
        info = node.model_fields.get(part)
        if info is None:
            return None
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            node = info.annotation
            continue
        return str((info.json_schema_extra or {}).get("unit", "-"))
    return None


def _dates(index: pd.Index | pd.Series) -> pa.Array:
    """Dates as a Parquet ``date32`` array."""
    return pa.array(np.asarray(index, dtype="datetime64[D]"), pa.date32())


def _keys(run_id: str, scenario: str, rows: int) -> list[pa.Array]:
    """The ``run_id`` and ``scenario`` columns of a run's `rows` rows."""
    return [pa.array([run_id] * rows, pa.string()), pa.array([scenario] * rows, pa.string())]


def series_table(run_id: str, scenario: str, frame: pd.DataFrame) -> pa.Table:
    """Return a run's daily series (index ``date``) as rows keyed by run, scenario and date."""
    fields = [*(_field(n, k) for n, k in RUN_KEYS), _field("date", pa.date32(), "date")]
    fields += [_field(c, pa.float64(), model.SERIES_UNITS.get(c)) for c in frame.columns]
    arrays = [*_keys(run_id, scenario, len(frame)), _dates(frame.index)]
    arrays += [pa.array(frame[c].to_numpy(dtype=float), pa.float64()) for c in frame.columns]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def events_table(run_id: str, scenario: str, frame: pd.DataFrame) -> pa.Table:
    """Return a run's events (date, kind, agent, detail) as rows keyed by run and scenario."""
    fields = [*(_field(n, k) for n, k in RUN_KEYS), _field("date", pa.date32(), "date")]
    fields += [_field(n, k) for n, k in EVENT_COLUMNS]
    arrays = [*_keys(run_id, scenario, len(frame)), _dates(frame["date"])]
    arrays += [pa.array(frame[n].astype(str), k) for n, k in EVENT_COLUMNS]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def series_frame(table: pa.Table) -> pd.DataFrame:
    """Return stored series rows of one run as the model gives them: a frame indexed by date."""
    frame = table.drop_columns([n for n, _ in RUN_KEYS if n in table.column_names]).to_pandas(date_as_object=False)
    frame["date"] = frame["date"].astype("datetime64[s]")
    return frame.set_index("date")


def events_frame(table: pa.Table) -> pd.DataFrame:
    """Return stored event rows of one run as the model gives them: date, kind, agent, detail."""
    frame = table.drop_columns([n for n, _ in RUN_KEYS if n in table.column_names]).to_pandas(date_as_object=False)
    frame["date"] = frame["date"].astype("datetime64[s]")
    return frame


def scenarios_table(scenario_params: Mapping[str, dict]) -> pa.Table:
    """Return one row per scenario with its resolved parameters as flat columns (with units).

    `scenario_params` maps each scenario to its resolved parameter tree (as the manifest
    records it). Lists (dated readjustments, cordones' dates) are stored as JSON text;
    everything else keeps its type, dates as Parquet dates.
    """
    trees = [rows(model.Params.model_validate_json(json.dumps(p))) for p in scenario_params.values()]
    fields = [_field("scenario", pa.string())]
    arrays = [pa.array(list(scenario_params), pa.string())]
    for leaves in zip(*trees, strict=True):
        key, unit = leaves[0][0], leaves[0][2]
        array = pa.array([_flat(leaf[1]) for leaf in leaves])
        fields.append(_field(sql_name(key), array.type, unit, key))
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _flat(value: Any) -> Any:
    """A parameter value as one Parquet cell: lists as JSON text, the rest as is."""
    return json.dumps(value, default=str) if isinstance(value, list | tuple | dict) else value
