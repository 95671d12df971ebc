"""Small typed accessors that record a :class:`Problem` instead of raising.

Every reader in this package goes through a :class:`Checker`, so that one bad value yields
one precise problem (file + dotted path + message) and reading carries on.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Optional

from .model import Problem

MISSING = object()


def at(path: str, key: str | int) -> str:
    """Extend a dotted/indexed location: ``at("fields[0]", "max") == "fields[0].max"``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def show(value: Any) -> str:
    """A short rendering of an offending value for messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def num(x: float) -> str:
    """Render a number without float noise (``0.1 + 0.2`` -> ``0.3``)."""
    return f"{round(float(x), 9):.12g}"


def is_number(value: Any) -> bool:
    # bool is an int subclass; "true" is never a valid maximum or credit.
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


class Checker:
    """Collects problems for one file."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, path, message))

    def mapping(self, value: Any, path: str) -> Optional[dict]:
        """``value`` if it is a mapping, else record a problem and return None."""
        if isinstance(value, dict):
            return value
        self.add(path, f"must be a mapping, got {show(value)}")
        return None

    def keys(self, data: dict, path: str, required: Iterable[str],
             optional: Iterable[str] = ()) -> None:
        """Report missing required keys and unknown keys (typos such as ``maxx``)."""
        required, optional = tuple(required), tuple(optional)
        for key in required:
            if key not in data:
                self.add(at(path, key), f"missing required key '{key}'")
        for key in data:
            if key not in required and key not in optional:
                self.add(at(path, str(key)), f"unknown key '{key}'")

    def get(self, data: dict, key: str, path: str, kind: str, *, default: Any = None,
            nullable: bool = False) -> Any:
        """Read ``data[key]`` as ``kind`` (str, number, int, bool, list, mapping).

        A missing key gives ``default`` (missing *required* keys are reported by
        :meth:`keys`); a value of the wrong type is reported and gives ``default``.
        """
        value = data.get(key, MISSING)
        if value is MISSING:
            return default
        where = at(path, key)
        if value is None:
            if nullable:
                return None
            self.add(where, f"{key} must not be empty")
            return default
        ok = {
            "str": lambda v: isinstance(v, str) and v.strip() != "",
            "number": is_number,
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "bool": lambda v: isinstance(v, bool),
            "list": lambda v: isinstance(v, list),
            "mapping": lambda v: isinstance(v, dict),
        }[kind](value)
        if ok:
            return value
        wanted = {"str": "a non-empty string", "number": "a number", "int": "an integer",
                  "bool": "true or false", "list": "a list", "mapping": "a mapping"}[kind]
        hint = ""
        if kind == "str" and is_number(value) and key in ("code", "criterion", "field", "version"):
            # YAML reads 1.2 or 2026.1 as numbers; the fix is to quote them.
            hint = f" (write it in quotes: \"{value}\")"
        self.add(where, f"{key} must be {wanted}, got {show(value)}{hint}")
        return default

    def unique(self, seen: dict, code: Any, path: str, what: str) -> None:
        """Report ``code`` if already in ``seen`` (code -> first location), else record it."""
        if code is None:
            return
        if code in seen:
            self.add(path, f"duplicate {what} code '{code}' (already used at {seen[code]})")
        else:
            seen[code] = path
