"""Read one questionnaire file (already parsed to plain data) against its scheme's draft."""
from __future__ import annotations

from typing import Optional

from .checker import Checker, at, show
from .model import ASSESSED, Item, Questionnaire
from .scheme_reader import SchemeDraft, read_options, read_scales

KINDS = ("full", "topical")
ITEM_TYPES = ("choice", "text")
Q_REQUIRED = ("code", "scheme", "group", "kind", "version", "title", "items")
Q_OPTIONAL = ("field", "intro", "scales", "description")
CHOICE_KEYS = ("code", "type", "criterion", "text", "required", "options", "scale", "help")
TEXT_KEYS = ("code", "type", "text", "required", "max_length", "help")


def read_questionnaire(data, ck: Checker, draft: SchemeDraft) -> Optional[Questionnaire]:
    """Read a parsed questionnaire file; None if it is not even a mapping."""
    data = ck.mapping(data, "")
    if data is None:
        return None
    ck.keys(data, "", Q_REQUIRED, Q_OPTIONAL)
    code = ck.get(data, "code", "", "str")
    scheme = ck.get(data, "scheme", "", "str")
    if scheme is not None and draft.code is not None and scheme != draft.code:
        ck.add("scheme", f"questionnaire '{code}' points at scheme '{scheme}' but lives in "
                         f"the directory of scheme '{draft.code}'")
    group = ck.get(data, "group", "", "str")
    if group is not None and group not in {g.code for g in draft.groups}:
        ck.add("group", f"unknown group '{group}' (not a group of scheme '{draft.code}')")
    kind = ck.get(data, "kind", "", "str")
    if kind is not None and kind not in KINDS:
        ck.add("kind", f"kind must be 'full' or 'topical', got {show(kind)}")
    field = ck.get(data, "field", "", "str")
    field_codes = [f.code for f in draft.fields]
    if kind == "topical":
        if "field" not in data:
            ck.add("field", "a topical questionnaire needs the field it covers")
        elif field is not None and field not in field_codes:
            ck.add("field", f"unknown field '{field}'")
            field = None
    elif kind == "full" and "field" in data:
        ck.add("field", "only a topical questionnaire names a field")
    scales = {**draft.scales, **read_scales(data, "", ck)}
    items, seen = [], {}
    raw_items = ck.get(data, "items", "", "list", default=[])
    if "items" in data and not raw_items:
        ck.add("items", "a questionnaire needs at least one item")
    for i, raw in enumerate(raw_items):
        item = _read_item(raw, at("items", i), ck, draft, scales, seen,
                          field if kind == "topical" else None)
        if item is not None:
            items.append(item)
    return Questionnaire(code=code or "", scheme=scheme or "", group=group or "",
                         kind=kind or "", field=field if kind == "topical" else None,
                         version=ck.get(data, "version", "", "str", default=""),
                         title=ck.get(data, "title", "", "str", default=""),
                         intro=ck.get(data, "intro", "", "str", default="") or "",
                         items=tuple(items))


def _read_item(raw, path: str, ck: Checker, draft: SchemeDraft, scales: dict, seen: dict,
               topical_field: Optional[str]) -> Optional[Item]:
    raw = ck.mapping(raw, path)
    if raw is None:
        return None
    code = ck.get(raw, "code", path, "str")
    ck.unique(seen, code, at(path, "code"), "item")
    kind = ck.get(raw, "type", path, "str", default="choice")
    if kind not in ITEM_TYPES:
        ck.add(at(path, "type"), f"type must be 'choice' or 'text', got {show(kind)}")
        return None
    text = ck.get(raw, "text", path, "str", default="")
    if kind == "text":
        ck.keys(raw, path, ("code", "text"), TEXT_KEYS)
        max_length = ck.get(raw, "max_length", path, "int")
        if max_length is not None and max_length < 1:
            ck.add(at(path, "max_length"), f"max_length must be positive, got {max_length}")
        return Item(code or "", "text", None, None, text,
                    ck.get(raw, "required", path, "bool", default=False), (), max_length)
    ck.keys(raw, path, ("code", "criterion", "text"), CHOICE_KEYS)
    criterion = ck.get(raw, "criterion", path, "str")
    field_code = _check_criterion(criterion, at(path, "criterion"), ck, draft, topical_field)
    options = ()
    if "options" in raw and "scale" in raw:
        ck.add(at(path, "scale"), "give either options or scale, not both")
    elif "scale" in raw:
        scale = ck.get(raw, "scale", path, "str")
        if scale is not None and scale not in scales:
            ck.add(at(path, "scale"), f"unknown scale '{scale}'")
        options = scales.get(scale, ())
    elif "options" in raw:
        options = read_options(raw["options"], at(path, "options"), ck)
    else:
        ck.add(at(path, "options"), "a choice question needs options (or a scale)")
    return Item(code or "", "choice", criterion, field_code, text,
                ck.get(raw, "required", path, "bool", default=True), options, None)


def _check_criterion(code, path: str, ck: Checker, draft: SchemeDraft,
                     topical_field: Optional[str]) -> Optional[str]:
    """Check that a question feeds a survey leaf; return the leaf's field code."""
    if code is None:
        return None
    if code not in draft.nodes:
        ck.add(path, f"unknown criterion '{code}'")
        return None
    node = draft.nodes[code]
    if node is None:
        ck.add(path, f"'{code}' is not a leaf; map the question to one of its "
                     "survey sub-criteria")
        return None
    field_code, _criterion, source = node
    if source == ASSESSED:
        ck.add(path, f"criterion '{code}' is assessed, not survey; questions may only feed "
                     "survey leaves")
    if topical_field is not None and field_code != topical_field:
        ck.add(path, f"criterion '{code}' belongs to field '{field_code}', outside the "
                     f"topical field '{topical_field}'")
    return field_code
