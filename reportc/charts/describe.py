"""A chart's generated description: what a screen reader hears when the author gave no
``fig-alt``. It says the chart type, each axis (its title, kind and range, read from the
data) and how many rows the data has: enough to know what the figure shows before
opening its data table."""

from __future__ import annotations

from typing import Any

from reportc.charts.spec import ChartData

_KINDS = {"bar": "bar chart", "line": "line chart", "area": "area chart",
          "point": "scatter plot", "circle": "scatter plot", "square": "scatter plot",
          "tick": "strip plot", "rect": "heat map", "arc": "pie chart", "rule": "rule chart",
          "text": "text chart", "trail": "line chart", "boxplot": "box plot",
          "errorbar": "error-bar chart", "errorband": "error-band chart"}
MAX_VALUES = 5


def describe(spec: dict[str, Any], data: ChartData) -> str:
    """"Bar chart. x axis: year (temporal), 2014 to 2022. y axis: ... 9 data rows."""
    marks = _marks(spec)
    kind = " and ".join(dict.fromkeys(_KINDS.get(mark, f"{mark} chart") for mark in marks))
    parts = [(kind or "chart").capitalize() + "."]
    encoding = _encoding(spec)
    for channel in ("x", "y", "color", "theta"):
        definition = encoding.get(channel)
        if isinstance(definition, dict) and isinstance(definition.get("field"), str):
            parts.append(_channel(channel, definition, data))
    if data.rows:
        parts.append(f"{len(data.rows)} data row{'s' if len(data.rows) != 1 else ''}.")
    return " ".join(parts)


def _marks(spec: dict[str, Any]) -> list[str]:
    mark = spec.get("mark")
    found = [mark.get("type") if isinstance(mark, dict) else mark] if mark else []
    for layer in spec.get("layer") or []:
        if isinstance(layer, dict):
            found += _marks(layer)
    return [name for name in found if isinstance(name, str)]


def _encoding(spec: dict[str, Any]) -> dict[str, Any]:
    """The top-level encoding, else the first layer's that has one."""
    if isinstance(spec.get("encoding"), dict):
        return dict(spec["encoding"])
    merged: dict[str, Any] = {}
    for layer in spec.get("layer") or []:
        if isinstance(layer, dict):
            for channel, definition in _encoding(layer).items():
                merged.setdefault(channel, definition)
    return merged


def _channel(channel: str, definition: dict[str, Any], data: ChartData) -> str:
    name = definition["field"]
    title = definition.get("title") or name
    kind = definition.get("type", "")
    label = {"color": "colour", "theta": "angle"}.get(channel, f"{channel} axis")
    values = _column(data, name)
    text = f"{label}: {title}" + (f" ({kind})" if kind else "")
    if values and kind in ("quantitative", "temporal"):
        low, high = _range(values)
        text += f", {low} to {high}" if low != high else f", {low}"
    elif values:
        distinct = list(dict.fromkeys(values))
        shown = ", ".join(distinct[:MAX_VALUES])
        more = f" and {len(distinct) - MAX_VALUES} more" if len(distinct) > MAX_VALUES else ""
        text += f", {len(distinct)} value{'s' if len(distinct) != 1 else ''}: {shown}{more}"
    return text + "."


def _column(data: ChartData, name: str) -> list[str]:
    if name not in data.columns:
        return []
    index = data.columns.index(name)
    return [row[index].strip() for row in data.rows if index < len(row) and row[index].strip()]


def _range(values: list[str]) -> tuple[str, str]:
    """Smallest and largest, as numbers when they all are, else as text (ISO dates sort)."""
    try:
        numbers = [float(value) for value in values]
    except ValueError:
        return min(values), max(values)
    low, high = min(numbers), max(numbers)
    return _number(low), _number(high)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:g}"
