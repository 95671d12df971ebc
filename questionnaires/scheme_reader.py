"""Read ``scheme.yaml`` (already parsed to plain data) into model objects.

Checks everything that can be judged from the scheme file alone: keys and types, unique
codes over the whole tree, maxima that add up, sources, weights, bands, priorities, quotas.
Links to questionnaires are checked later by :mod:`questionnaires.validate`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field as dc_field
from typing import Optional

from .checker import Checker, at, num, show
from .model import SOURCES, SURVEY, Band, Criterion, Field, Group, Option

TOLERANCE = 1e-9

SCHEME_REQUIRED = ("code", "name", "version", "total", "unit_kinds", "bands", "groups", "fields")
SCHEME_OPTIONAL = ("description", "scales")
GROUP_REQUIRED = ("code", "name", "priority", "questionnaire")
GROUP_OPTIONAL = ("weight", "requires_email", "quota", "quota_by_kind", "description")
NODE_REQUIRED = ("code", "name", "max")


@dataclass
class SchemeDraft:
    """What the scheme file yields, plus where each thing was written (for later problems)."""

    code: Optional[str]
    name: str = ""
    version: str = ""
    total: float = 0
    unit_kinds: tuple = ()
    bands: tuple = ()
    groups: tuple = ()
    fields: tuple = ()
    scales: dict = dc_field(default_factory=dict)  #: scale name -> tuple[Option]
    #: leaf code -> (field code, criterion code, source); non-leaf codes -> None
    nodes: dict = dc_field(default_factory=dict)
    where: dict = dc_field(default_factory=dict)  #: "leaf:1.2.1" / "group:HDND" -> path


def read_scheme(data, ck: Checker) -> Optional[SchemeDraft]:
    """Read a parsed ``scheme.yaml``; None if it is not even a mapping."""
    data = ck.mapping(data, "")
    if data is None:
        return None
    ck.keys(data, "", SCHEME_REQUIRED, SCHEME_OPTIONAL)
    draft = SchemeDraft(code=ck.get(data, "code", "", "str"))
    draft.name = ck.get(data, "name", "", "str", default="")
    draft.version = ck.get(data, "version", "", "str", default="")
    draft.total = ck.get(data, "total", "", "number")
    draft.unit_kinds = _read_unit_kinds(data, ck)
    draft.bands = _read_bands(data, ck)
    draft.scales = read_scales(data, "", ck)
    draft.groups = _read_groups(data, ck, draft)
    draft.fields = _read_fields(data, ck, draft)
    return draft


def _read_unit_kinds(data: dict, ck: Checker) -> tuple:
    kinds = ck.get(data, "unit_kinds", "", "list", default=[])
    out = []
    for i, kind in enumerate(kinds):
        if not isinstance(kind, str) or not kind.strip():
            ck.add(at("unit_kinds", i), f"unit kind must be a non-empty string, got {show(kind)}")
        elif kind in out:
            ck.add(at("unit_kinds", i), f"duplicate unit kind '{kind}'")
        else:
            out.append(kind)
    return tuple(out)


def _read_bands(data: dict, ck: Checker) -> tuple:
    bands, seen, previous = [], {}, None
    for i, raw in enumerate(ck.get(data, "bands", "", "list", default=[])):
        path = at("bands", i)
        raw = ck.mapping(raw, path)
        if raw is None:
            continue
        ck.keys(raw, path, ("code", "name", "min"))
        code = ck.get(raw, "code", path, "str")
        ck.unique(seen, code, at(path, "code"), "band")
        low = ck.get(raw, "min", path, "number")
        if low is not None:
            if not 0 <= low <= 100:
                ck.add(at(path, "min"), f"band min must be between 0 and 100, got {num(low)}")
            elif previous is not None and low >= previous:
                ck.add(at(path, "min"), f"bands must be in descending order of min: "
                                        f"{num(low)} is not below {num(previous)}")
            previous = low
        bands.append(Band(code or "", ck.get(raw, "name", path, "str", default=""), low or 0))
    if not bands:
        ck.add("bands", "the scheme needs at least one band")
    elif previous is not None and previous != 0:
        # Otherwise a unit with a low score would get no band at all.
        ck.add(at(at("bands", len(bands) - 1), "min"),
               f"the lowest band must start at 0, got {num(previous)}")
    return tuple(bands)


def read_scales(data: dict, path: str, ck: Checker) -> dict:
    """Named option lists (``scales: {muc_do: [...]}``) shared by items via ``scale:``."""
    out = {}
    scales = ck.get(data, "scales", path, "mapping", default={})
    for name, options in scales.items():
        out[name] = read_options(options, at(at(path, "scales"), str(name)), ck)
    return out


def read_options(raw, path: str, ck: Checker) -> tuple:
    """A list of answer options: at least two, unique codes, labels, credits in [0, 1]."""
    if not isinstance(raw, list):
        ck.add(path, f"options must be a list, got {show(raw)}")
        return ()
    if len(raw) < 2:
        ck.add(path, f"a question needs at least 2 options, got {len(raw)}")
    options, seen = [], {}
    for i, opt in enumerate(raw):
        opath = at(path, i)
        opt = ck.mapping(opt, opath)
        if opt is None:
            continue
        ck.keys(opt, opath, ("code", "label", "credit"))
        code = ck.get(opt, "code", opath, "str")
        ck.unique(seen, code, at(opath, "code"), "option")
        label = ck.get(opt, "label", opath, "str", default="")
        credit = ck.get(opt, "credit", opath, "number", nullable=True)
        if credit is not None and not 0 <= credit <= 1:
            ck.add(at(opath, "credit"), f"credit must be between 0 and 1 (or null), "
                                        f"got {num(credit)}")
            credit = None
        options.append(Option(code or "", label, None if credit is None else float(credit)))
    if options and all(o.credit is None for o in options):
        ck.add(path, "no option carries a credit, so the question can never score")
    return tuple(options)


def read_quota(raw, path: str, ck: Checker) -> tuple:
    """``null`` = no bound, ``N`` = exactly N, ``{min, max}`` with either bound optional."""
    if raw is None:
        return (None, None)
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = {"min": raw, "max": raw}
    raw = ck.mapping(raw, path)
    if raw is None:
        return (None, None)
    ck.keys(raw, path, (), ("min", "max"))
    bounds = []
    for key in ("min", "max"):
        value = ck.get(raw, key, path, "int", nullable=True)
        if value is not None and value < 0:
            ck.add(at(path, key), f"quota {key} must not be negative, got {value}")
            value = None
        bounds.append(value)
    low, high = bounds
    if low is not None and high is not None and low > high:
        ck.add(at(path, "min"), f"quota min {low} is greater than max {high}")
    return (low, high)


def _read_groups(data: dict, ck: Checker, draft: SchemeDraft) -> tuple:
    groups, seen, priorities = [], {}, {}
    for i, raw in enumerate(ck.get(data, "groups", "", "list", default=[])):
        path = at("groups", i)
        raw = ck.mapping(raw, path)
        if raw is None:
            continue
        ck.keys(raw, path, GROUP_REQUIRED, GROUP_OPTIONAL)
        code = ck.get(raw, "code", path, "str")
        ck.unique(seen, code, at(path, "code"), "group")
        priority = ck.get(raw, "priority", path, "int")
        if priority is not None:
            if priority < 1:
                ck.add(at(path, "priority"), f"priority must be a positive integer, got {priority}")
            elif priority in priorities:
                ck.add(at(path, "priority"), f"priority {priority} is already used by group "
                                             f"'{priorities[priority]}'")
            else:
                priorities[priority] = code
        weight = ck.get(raw, "weight", path, "number", default=1.0)
        if weight < 0:
            ck.add(at(path, "weight"), f"weight must not be negative, got {num(weight)}")
            weight = 0.0
        low, high = read_quota(raw.get("quota"), at(path, "quota"), ck)
        by_kind = {}
        kinds_path = at(path, "quota_by_kind")
        for kind, quota in ck.get(raw, "quota_by_kind", path, "mapping", default={}).items():
            if kind not in draft.unit_kinds:
                ck.add(at(kinds_path, str(kind)), f"unknown unit kind '{kind}' "
                                                  f"(scheme unit_kinds: {', '.join(draft.unit_kinds)})")
            by_kind[kind] = read_quota(quota, at(kinds_path, str(kind)), ck)
        group = Group(code=code or "", name=ck.get(raw, "name", path, "str", default=""),
                      priority=priority or 0,
                      questionnaire=ck.get(raw, "questionnaire", path, "str", default=""),
                      weight=float(weight),
                      requires_email=ck.get(raw, "requires_email", path, "bool", default=True),
                      quota_min=low, quota_max=high, quota_by_kind=by_kind)
        groups.append(group)
        if code:
            draft.where.setdefault(f"group:{code}", path)
    return tuple(groups)


def _read_fields(data: dict, ck: Checker, draft: SchemeDraft) -> tuple:
    fields, seen = [], {}
    group_codes = {g.code for g in draft.groups}
    for i, raw in enumerate(ck.get(data, "fields", "", "list", default=[])):
        path = at("fields", i)
        raw = ck.mapping(raw, path)
        if raw is None:
            continue
        ck.keys(raw, path, NODE_REQUIRED + ("criteria",), ("description",))
        code, name, top = _node_head(raw, path, ck, seen)
        if code:
            draft.nodes.setdefault(code, None)
        criteria = []
        for j, craw in enumerate(ck.get(raw, "criteria", path, "list", default=[])):
            crit = _read_node(craw, at(at(path, "criteria"), j), ck, seen, group_codes,
                              draft, code, None)
            if crit is not None:
                criteria.append(crit)
        if not criteria:
            ck.add(at(path, "criteria"), f"field '{code}' has no criteria")
        _check_sum(ck, path, "field", code, top, [c.max for c in criteria], "criteria")
        fields.append(Field(code or "", name, _or_nan(top), tuple(criteria)))
    _check_sum(ck, "", "scheme", draft.code, draft.total, [f.max for f in fields], "fields",
               key="total")
    return tuple(fields)


def _node_head(raw: dict, path: str, ck: Checker, seen: dict) -> tuple:
    code = ck.get(raw, "code", path, "str")
    # Fields, criteria and sub-criteria share one namespace: answers, assessments and
    # exports refer to a node by its code alone.
    ck.unique(seen, code, at(path, "code"), "criterion")
    top = ck.get(raw, "max", path, "number")
    if top is not None and top <= 0:
        ck.add(at(path, "max"), f"max must be a positive number, got {num(top)}")
    return code, ck.get(raw, "name", path, "str", default=""), top


def _read_node(raw, path: str, ck: Checker, seen: dict, group_codes: set,
               draft: SchemeDraft, field_code, criterion_code) -> Optional[Criterion]:
    """A criterion (criterion_code None) or a sub-criterion."""
    raw = ck.mapping(raw, path)
    if raw is None:
        return None
    optional = ("source", "weights", "description")
    if criterion_code is None:
        optional += ("subcriteria",)
    ck.keys(raw, path, NODE_REQUIRED, optional)
    code, name, top = _node_head(raw, path, ck, seen)
    subs = []
    for k, sraw in enumerate(ck.get(raw, "subcriteria", path, "list", default=[])):
        sub = _read_node(sraw, at(at(path, "subcriteria"), k), ck, seen, group_codes,
                         draft, field_code, code)
        if sub is not None:
            subs.append(sub)
    if subs:
        if "source" in raw:
            ck.add(at(path, "source"), f"criterion '{code}' has both subcriteria and a source; "
                                       "only leaves carry a source")
        if "weights" in raw:
            ck.add(at(path, "weights"), f"criterion '{code}' has subcriteria; "
                                        "weights belong on its survey sub-criteria")
        _check_sum(ck, path, "criterion", code, top, [s.max for s in subs], "subcriteria")
        if code:
            draft.nodes.setdefault(code, None)
        return Criterion(code or "", name, _or_nan(top), None, {}, tuple(subs))
    source = ck.get(raw, "source", path, "str")
    if "source" not in raw:
        ck.add(at(path, "source"), f"leaf '{code}' needs a source (assessed or survey)")
    elif source is not None and source not in SOURCES:
        ck.add(at(path, "source"), f"source must be 'assessed' or 'survey', got {show(source)}")
        source = None
    weights = _read_weights(raw, path, ck, group_codes, source, code)
    if code and code not in draft.nodes:
        draft.nodes[code] = (field_code, criterion_code or code, source)
        draft.where[f"leaf:{code}"] = path
        if "weights" in raw:
            draft.where[f"weights:{code}"] = at(path, "weights")
    return Criterion(code or "", name, _or_nan(top), source, weights, ())


def _read_weights(raw: dict, path: str, ck: Checker, group_codes: set, source, code) -> dict:
    weights = ck.get(raw, "weights", path, "mapping", default={})
    if weights and source != SURVEY:
        ck.add(at(path, "weights"), f"weights are only allowed on survey leaves, "
                                    f"'{code}' is {source or 'not a survey leaf'}")
        return {}
    out = {}
    for group, weight in weights.items():
        wpath = at(at(path, "weights"), str(group))
        if group not in group_codes:
            ck.add(wpath, f"weights name unknown group '{group}'")
        elif not isinstance(weight, (int, float)) or isinstance(weight, bool):
            ck.add(wpath, f"weight must be a number, got {show(weight)}")
        elif weight < 0:
            ck.add(wpath, f"weight must not be negative, got {num(weight)}")
        else:
            out[group] = float(weight)
    return out


def _or_nan(top):
    # An invalid max is already reported; NaN makes every sum above it skip its check
    # instead of reporting a second, misleading mismatch.
    return math.nan if top is None else top


def _check_sum(ck: Checker, path: str, what: str, code, top, parts: list, part_name: str,
               key: str = "max") -> None:
    if top is None or not parts:
        return
    total = sum(parts)
    if math.isnan(total):
        return
    if abs(total - top) > TOLERANCE:
        ck.add(at(path, key), f"{part_name} add up to {num(total)} but {what} '{code}' "
                              f"has {key} {num(top)}")
