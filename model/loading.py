"""Reading parameter files: TOML, overlays, ``section.key`` overrides, one validation.

A parameter file is read (by default the shipped baseline), the overlay files are merged onto
it in order (an overlay may ``include`` other overlays, applied first), then ``{"section.key": value}`` overrides; the
merged tree is validated once by :class:`model.params.Params`. Every failure becomes a
:class:`model.errors.ParamError` naming the file the offending key came from, the dotted key,
and what was expected, with a "did you mean" for near-misses.

The files shipped with the package have stable names that work from any folder: the
parameter files ``baseline`` and ``history`` (the published record) and the overlays of
``scenarios/`` (``no_october_strike``, ...). :func:`shipped` finds them with
:mod:`importlib.resources`; a name that is an existing file's path is read as that file.
"""

from __future__ import annotations

import copy
import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from viachilena.model.errors import ParamError
from viachilena.model.params import Params

MAX_FILE_BYTES = 1_000_000
OVERRIDE_SOURCE = "--set"
SHIPPED_PACKAGE = "viachilena.params"
BASELINE = "baseline"
SCENARIOS = "scenarios"
STABLE_NAME = re.compile(r"^[a-z0-9_]+$")


def shipped_names(folder: str = "") -> list[str]:
    """Return the stable names of the shipped files in `folder` (``""``: parameters, ``"scenarios"``: overlays)."""
    root = resources.files(SHIPPED_PACKAGE).joinpath(folder) if folder else resources.files(SHIPPED_PACKAGE)
    return sorted(f.name.removesuffix(".toml") for f in root.iterdir() if f.name.endswith(".toml"))


def shipped(reference: str | Path, folder: str = "") -> Path:
    """Return the file `reference` names: itself if it is a file, else the shipped file of that stable name.

    `folder` is where shipped names are looked up: ``""`` for parameter files (``baseline``,
    ``history``), ``"scenarios"`` for overlays. A stable name is lowercase letters, digits and
    underscores, without ``.toml``; one that names no shipped file is a ParamError listing those that exist.
    """
    path = Path(reference)
    if path.is_file() or not STABLE_NAME.match(str(reference)):
        return path
    found = resources.files(SHIPPED_PACKAGE).joinpath(*filter(None, [folder]), f"{reference}.toml")
    if not found.is_file():
        names = ", ".join(shipped_names(folder))
        raise ParamError(str(reference), "", f"an existing file or a shipped name ({names})")
    return Path(str(found))


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, refusing missing, oversized, non-UTF-8 and malformed files."""
    path = Path(path)
    if not path.is_file():
        raise ParamError(str(path), "", "file not found (expected a TOML file)")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ParamError(str(path), "", f"file is {size:,} bytes; expected a TOML file under {MAX_FILE_BYTES:,} bytes")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParamError(str(path), "", f"byte {exc.start} is not UTF-8 (expected a UTF-8 text file)") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParamError(str(path), "", f"not valid TOML: {exc}") from None
    except RecursionError:
        raise ParamError(str(path), "", "tables or arrays nested too deeply (expected a flat parameter file)") from None


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``section.key=value``; the value is read as a TOML value (bare words as strings)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or "." not in key:
        raise ParamError(OVERRIDE_SOURCE, text, "expected section.key=value")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def load_params(
    path: str | Path = BASELINE,
    scenarios: Iterable[str | Path] = (),
    overrides: Mapping[str, Any] | None = None,
) -> Params:
    """Read a parameter file, apply overlays then overrides, and validate the result.

    `path` is a parameter file, or the stable name of a shipped one (default ``"baseline"``,
    the calibrated baseline). `scenarios` are overlay files or shipped overlay names
    (``"no_october_strike"``), applied in order. `overrides` maps dotted keys to values
    (``{"hoarding.propensity": 0.5}``), applied last. Raises :class:`ParamError` naming the
    file, the key and what was expected if anything does not validate.
    """
    path = shipped(path)
    tree = read_toml(path)
    origin = _origins(tree, str(path))
    for overlay in scenarios:
        _apply_overlay(tree, origin, shipped(overlay, SCENARIOS), chain=())
    for key, value in (overrides or {}).items():
        _set_dotted(tree, origin, key, value, OVERRIDE_SOURCE)
    return validate(tree, origin, default_file=str(path))


def validate(tree: dict[str, Any], origin: Mapping[str, str], default_file: str) -> Params:
    """Validate a merged tree, turning the first problem into a :class:`ParamError`."""
    try:
        return Params.model_validate(tree)
    except ValidationError as exc:
        raise _explain(exc, origin, default_file) from None


def _origins(tree: Mapping[str, Any], source: str, prefix: str = "") -> dict[str, str]:
    found = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        found[dotted] = source
        if isinstance(value, Mapping):
            found.update(_origins(value, source, dotted + "."))
    return found


def _apply_overlay(tree: dict, origin: dict, path: Path, chain: tuple[Path, ...]) -> None:
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        raise ParamError(str(path), "include", "an overlay file, not a loop of symbolic links") from None
    if resolved in chain:
        loop = " -> ".join(str(p) for p in (*chain, resolved))
        raise ParamError(str(path), "include", f"overlays include each other in a circle ({loop})")
    overlay = read_toml(path)
    includes = overlay.pop("include", [])
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ParamError(str(path), "include", "expected a list of overlay file paths")
    for inc in includes:
        inc_path = Path(inc) if Path(inc).is_absolute() else path.parent / inc
        if not inc_path.is_file() and Path(inc).is_file():
            inc_path = Path(inc)
        _apply_overlay(tree, origin, inc_path, (*chain, resolved))
    _merge(tree, overlay, origin, str(path), "")


def _merge(base: dict, top: Mapping, origin: dict, source: str, prefix: str) -> None:
    for key, value in top.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            origin[dotted] = origin.get(dotted, source)
            _merge(base[key], value, origin, source, dotted + ".")
        else:
            base[key] = copy.deepcopy(value)
            origin.update(_origins({key: value}, source, prefix))


def _set_dotted(tree: dict, origin: dict, key: str, value: Any, source: str) -> None:
    parts = key.split(".")
    node = tree
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if not isinstance(child, dict):
            where = ".".join(parts[: depth + 1])
            raise ParamError(source, key, f"'{where}' is not a section{_did_you_mean(part, node)}")
        node = child
    if parts[-1] not in node:
        raise ParamError(source, key, f"unknown key{_did_you_mean(parts[-1], node)}")
    node[parts[-1]] = value
    origin.update(_origins({parts[-1]: value}, source, ".".join(parts[:-1]) + "."))


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, [str(o) for o in options], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model a location points into (to list its valid keys)."""
    model: Any = Params
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return model
        annotation = info.annotation
        inner = (
            getattr(annotation, "__args__", (annotation,))[0]
            if getattr(annotation, "__origin__", None) is list
            else annotation
        )
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            model = inner
        else:
            return model
    return model


def _explain(exc: ValidationError, origin: Mapping[str, str], default_file: str) -> ParamError:
    error = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc = tuple(error["loc"])
    dotted = ".".join(str(p) for p in loc)
    named = ".".join(str(p) for p in loc if not isinstance(p, int))
    file = _origin_of(named, origin, default_file)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        keys = parent.model_fields if parent else {}
        return ParamError(file, dotted, f"unknown key{_did_you_mean(str(loc[-1]), keys)}")
    model = _model_at(loc[:-1]) if loc else None
    info = model.model_fields.get(str(loc[-1])) if model and loc else None
    if kind == "missing":
        what = f"{info.description} [{_unit(info)}]" if info else "a value"
        return ParamError(file, dotted, f"missing; expected {what}")
    unit = f" [{_unit(info)}]" if info and _unit(info) != "-" else ""
    message = error["msg"].removeprefix("Value error, ")
    given = error.get("input")
    shown = "" if isinstance(given, (dict, list)) else f" (got {given!r})"
    return ParamError(file, dotted, f"{message}{unit}{shown}")


def _origin_of(named: str, origin: Mapping[str, str], default_file: str) -> str:
    """The file a key came from; for a whole section, the last file that changed it."""
    changed = [src for key, src in origin.items() if key.startswith(named + ".") and src != default_file]
    if changed:
        return changed[-1]
    parts = named.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in origin:
            return origin[prefix]
    return default_file


def _unit(info: Any) -> str:
    extra = info.json_schema_extra or {}
    return str(extra.get("unit", "-"))
