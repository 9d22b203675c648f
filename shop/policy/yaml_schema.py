"""Strict YAML for pydantic models, refused in words a content editor understands, with the line.

pydantic (v1) coerces: ``"5"`` becomes 5, ``"yes"`` becomes true, ``[["a", 1]]`` a mapping, and
its messages speak Python. A file the content team edits must be read as written instead, and a
mistake named where it is in the file. So the field types here (``Text``, ``Positive``...) read
YAML values strictly and refuse with ``must be ..., got ...``; ``Schema`` refuses unknown keys,
non-mappings, non-lists and nulls, and freezes the result; ``problem`` turns pydantic's first
error into the dotted path (``carriers[0].delivery_days.france``) and reason, and ``line_of``
finds that path's line in the index ``line_index`` builds from the YAML nodes.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal, Mapping, get_args, get_origin

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, create_model, validator
from pydantic.error_wrappers import ErrorWrapper
from pydantic.fields import SHAPE_FROZENSET, SHAPE_LIST, SHAPE_TUPLE_ELLIPSIS, ModelField

_TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
_SEQUENCES = {SHAPE_LIST, SHAPE_TUPLE_ELLIPSIS, SHAPE_FROZENSET}
# pydantic's own refusals, in the words of the rest
_PYDANTIC_REASONS = {
    "value_error.missing": "missing required field",
    "value_error.extra": "unknown field",
}


def show(value: Any) -> str:
    """A value as the message quotes it: its repr, cut at 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def one_of(allowed: Iterable[Any], value: Any) -> str:
    return f"must be one of {', '.join(sorted(map(str, allowed)))}, got {show(value)}"


def choice(allowed: Iterable[str], convert: Callable[[str], Any] = str) -> Callable[[Any], Any]:
    """A reader of one of ``allowed``, given to ``convert`` (an enum, an index...)."""
    names = tuple(allowed)

    def read(value: Any) -> Any:
        if not isinstance(value, str) or value not in names:
            raise ValueError(one_of(names, value))
        return convert(value)

    return read


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty text, got {show(value)}")
    return value.strip()


def _integer(minimum: int) -> Callable[[Any], int]:
    kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"

    def read(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"must be {kind}, got {show(value)}")
        return value

    return read


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {show(value)}")
    return value


def wall_time(value: Any) -> time:
    """``"HH:MM"``, quoted: unquoted, YAML 1.1 reads ``15:00`` as the number 900."""
    match = _TIME_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'must be a time "HH:MM" in quotes, got {show(value)}')
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"is not a valid time of day, got {show(value)}")
    return time(hour, minute)


def _calendar_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"must be a date YYYY-MM-DD, got {show(value)}") from None


def yaml_type(name: str, read: Callable[[Any], Any]) -> Any:
    """A field type pydantic reads with ``read`` alone, which refuses with its own message."""
    return type(name, (), {"__get_validators__": classmethod(lambda cls: iter((read,)))})


if TYPE_CHECKING:  # what the values are once read
    Text = str
    Positive = int
    Count = int
    Flag = bool
    WallTime = time
    Day = date
else:
    Text = yaml_type("Text", _text)  # a non-empty string, stripped
    Positive = yaml_type("Positive", _integer(1))
    Count = yaml_type("Count", _integer(0))
    Flag = yaml_type("Flag", _flag)
    WallTime = yaml_type("WallTime", wall_time)
    Day = yaml_type("Day", _calendar_date)


def _refuse_null(type_: Any) -> None:
    """Refuse ``None`` with the words the type uses for any wrong value."""
    if get_origin(type_) is Literal:
        raise ValueError(one_of(get_args(type_), None))
    for read in getattr(type_, "__get_validators__", tuple)():
        read(None)


class Schema(BaseModel):
    """A part of a YAML file: keys as written, unknown ones refused, values immutable."""

    class Config:
        extra = Extra.forbid
        frozen = True
        copy_on_model_validation = "none"

    @classmethod
    def validate(cls, value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise ValueError(f"must be a mapping, got {show(value)}")
        return super().validate({str(key): item for key, item in value.items()})

    @validator("*", pre=True)
    def _lists_and_nulls(cls, value: Any, field: ModelField) -> Any:
        """A list is a YAML list, non-empty unless the key is optional; null is refused."""
        if field.shape in _SEQUENCES:
            if not isinstance(value, (list, tuple)) or (field.required and not value):
                wanted = "a non-empty list" if field.required else "a list"
                raise ValueError(f"must be {wanted}, got {show(value)}")
        elif value is None and not field.allow_none:
            _refuse_null(field.type_)
        return value

    @validator("*", pre=True, each_item=True)
    def _null_items(cls, value: Any, field: ModelField) -> Any:
        if value is None and not field.allow_none:
            _refuse_null(field.type_)
        return value


def refused_at(loc: tuple[int | str, ...], reason: str) -> ValidationError:
    """An error on a part of the value a validator checks (an item's key, say)."""
    return ValidationError([ErrorWrapper(ValueError(reason), loc=loc)], Schema)


def empty_if_null(value: Any) -> Any:
    """For the optional lists that an empty key (``holidays:``) leaves empty."""
    return () if value is None else value


def table(
    name: str,
    keys: Iterable[str],
    value_type: Any,
    key: Callable[[str], Any] = str,
    at_least_one: str = "",
) -> Callable[[Any, Any], Mapping[Any, Any]]:
    """A validator reading a mapping with these ``keys`` (all required, unless the mapping needs
    only ``at_least_one``) into a read-only mapping, in the file's order, keyed by ``key(name)``."""
    # An optional key's default is a factory, not None, so that ``france:`` (null) is refused.
    default = Field(default_factory=tuple) if at_least_one else ...
    fields: dict[str, Any] = {field: (value_type, default) for field in keys}
    schema = create_model(name, __base__=Schema, **fields)

    def read(cls: Any, value: Any) -> Mapping[Any, Any]:
        parsed = schema.validate(value)
        given = [str(name) for name in value if str(name) in schema.__fields__]
        found = {key(name): getattr(parsed, name) for name in given}
        if at_least_one and not any(found.values()):
            raise ValueError(at_least_one)
        return MappingProxyType(found)

    return read


def problem(error: ValidationError) -> tuple[str, str]:
    """The first problem pydantic found: its dotted path (``""`` for the root) and reason."""
    first = error.errors()[0]
    path = ""
    for part in first["loc"]:
        if isinstance(part, int):
            path = f"{path}[{part}]"
        elif part != "__root__":
            path = _join(path, part)
    if first["type"] == "value_error.const":  # a Literal
        return path, one_of(first["ctx"]["permitted"], first["ctx"]["given"])
    return path, _PYDANTIC_REASONS.get(first["type"], first["msg"])


def line_index(node: Any, prefix: str = "") -> dict[str, int]:
    """Dotted field path -> 1-based line, from the composed YAML node tree."""
    index: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = _join(prefix, str(key_node.value))
            index[path] = key_node.start_mark.line + 1
            index.update(line_index(value_node, path))
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            path = f"{prefix}[{position}]"
            index[path] = item.start_mark.line + 1
            index.update(line_index(item, path))
    return index


def line_of(path: str, lines: dict[str, int]) -> int | None:
    """The line of the field, or of the nearest enclosing one the file has (a missing key)."""
    while path not in lines and re.search(r"[.\[]", path):
        path = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", path)
    return lines.get(path)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key
