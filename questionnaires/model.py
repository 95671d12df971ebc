"""Frozen value objects for schemes (bộ chỉ số) and questionnaires (phiếu khảo sát).

Built only by the loader after validation; the rest of the platform reads them and never
mutates them. Lists are tuples so that a loaded scheme can be cached and shared safely.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Optional

ASSESSED = "assessed"
SURVEY = "survey"
SOURCES = (ASSESSED, SURVEY)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scheme directory: where (file + dotted path) and what."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class SchemeError(Exception):
    """Raised when a directory of schemes the app relies on has problems (``app.core.schemes``)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the scheme files:\n{lines}")


@dataclass(frozen=True)
class Band:
    """A rating band (xếp loại): units whose index % is at least ``min`` get it."""

    code: str
    name: str
    min: float


@dataclass(frozen=True)
class Group:
    """A respondent group (nhóm đối tượng khảo sát) with its questionnaire and quota."""

    code: str
    name: str
    priority: int  #: 1 = highest; decides the group of a person listed in two groups
    questionnaire: str
    weight: float = 1.0  #: default weight of this group on the survey leaves it feeds
    requires_email: bool = True  #: False for citizens: a phone number is enough
    quota_min: Optional[int] = None
    quota_max: Optional[int] = None
    quota_by_kind: dict = dc_field(default_factory=dict)  #: unit kind -> (min, max)

    def quota_for(self, unit_kind: Optional[str]) -> tuple[Optional[int], Optional[int]]:
        """The (min, max) number of respondents per assessed unit of ``unit_kind``.

        ``None`` means no bound. A kind-specific override wins over the default quota.
        """
        if unit_kind in self.quota_by_kind:
            return self.quota_by_kind[unit_kind]
        return (self.quota_min, self.quota_max)


@dataclass(frozen=True)
class Criterion:
    """A criterion (tiêu chí) or sub-criterion (tiêu chí thành phần).

    A node without sub-criteria is a leaf and carries ``source``; survey leaves carry the
    resolved group ``weights``.
    """

    code: str
    name: str
    max: float
    source: Optional[str] = None
    weights: dict = dc_field(default_factory=dict)
    subcriteria: tuple["Criterion", ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.subcriteria


@dataclass(frozen=True)
class Field:
    """A field (lĩnh vực) of the scheme, e.g. "3 Cải cách thủ tục hành chính"."""

    code: str
    name: str
    max: float
    criteria: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class Leaf:
    """A scored node, flattened with the codes of its field and criterion."""

    code: str
    name: str
    max: float
    source: str
    weights: dict
    field_code: str
    criterion_code: str


@dataclass(frozen=True)
class Option:
    """An answer option; ``credit`` None means "not counted" (Không biết / không trả lời)."""

    code: str
    label: str
    credit: Optional[float]


@dataclass(frozen=True)
class Item:
    """A question: ``choice`` (scored, mapped to a survey leaf) or ``text`` (free comment)."""

    code: str
    type: str
    criterion: Optional[str]
    field_code: Optional[str]
    text: str
    required: bool
    options: tuple[Option, ...] = ()
    max_length: Optional[int] = None


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire for one group: ``full`` (all fields) or ``topical`` (one field)."""

    code: str
    scheme: str
    group: str
    kind: str
    field: Optional[str]
    version: str
    title: str
    intro: str
    items: tuple[Item, ...] = ()

    def items_by_field(self) -> dict[Optional[str], list[Item]]:
        """Items grouped by field code in order of appearance (free-text items under None)."""
        grouped: dict[Optional[str], list[Item]] = {}
        for item in self.items:
            grouped.setdefault(item.field_code, []).append(item)
        return grouped

    def to_dict(self) -> dict:
        """The JSON shape of DESIGN §6 (``questionnaires[]``) plus a few extra keys."""
        return {
            "code": self.code,
            "group": self.group,
            "kind": self.kind,
            "field": self.field,
            "version": self.version,
            "title": self.title,
            "intro": self.intro,
            "items": [
                {
                    "code": it.code,
                    "type": it.type,
                    "criterion": it.criterion,
                    "field": it.field_code,
                    "text": it.text,
                    "required": it.required,
                    "max_length": it.max_length,
                    "options": [
                        {"code": o.code, "label": o.label, "credit": o.credit} for o in it.options
                    ],
                }
                for it in self.items
            ],
        }


@dataclass(frozen=True)
class Scheme:
    """A whole index scheme: the scored tree, bands, groups and their questionnaires."""

    code: str
    name: str
    version: str
    total: float
    unit_kinds: tuple[str, ...]
    bands: tuple[Band, ...]
    groups: tuple[Group, ...]
    fields: tuple[Field, ...]
    questionnaires: dict  #: questionnaire code -> Questionnaire
    source_files: tuple[str, ...] = ()
    digest: str = ""  #: sha256 of the source files, recorded with each campaign

    def leaves(self) -> list[Leaf]:
        """All scored nodes in tree order."""
        out = []
        for f in self.fields:
            for c in f.criteria:
                nodes = c.subcriteria or (c,)
                for n in nodes:
                    out.append(Leaf(n.code, n.name, n.max, n.source, dict(n.weights), f.code, c.code))
        return out

    def leaf(self, code: str) -> Leaf:
        """The leaf with ``code``; KeyError if there is none."""
        for lf in self.leaves():
            if lf.code == code:
                return lf
        raise KeyError(code)

    def field(self, code: str) -> Field:
        """The field with ``code``; KeyError if there is none."""
        for f in self.fields:
            if f.code == code:
                return f
        raise KeyError(code)

    def group(self, code: str) -> Group:
        """The group with ``code``; KeyError if there is none."""
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(code)

    def to_dict(self) -> dict:
        """The JSON shape of DESIGN §6 (``schemes show CODE --json``) plus extra keys."""
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "total": self.total,
            "digest": self.digest,
            "unit_kinds": list(self.unit_kinds),
            "bands": [{"code": b.code, "name": b.name, "min": b.min} for b in self.bands],
            "fields": [
                {
                    "code": f.code,
                    "name": f.name,
                    "max": f.max,
                    "criteria": [_criterion_dict(c) for c in f.criteria],
                }
                for f in self.fields
            ],
            "groups": [_group_dict(g) for g in self.groups],
            "questionnaires": [q.to_dict() for q in self.questionnaires.values()],
        }


def _leaf_dict(n: Criterion) -> dict:
    return {"code": n.code, "name": n.name, "max": n.max, "source": n.source,
            "weights": dict(n.weights)}


def _criterion_dict(c: Criterion) -> dict:
    if c.is_leaf:
        return {**_leaf_dict(c), "subcriteria": []}
    return {"code": c.code, "name": c.name, "max": c.max,
            "subcriteria": [_leaf_dict(s) for s in c.subcriteria]}


def _group_dict(g: Group) -> dict:
    return {
        "code": g.code,
        "name": g.name,
        "priority": g.priority,
        "questionnaire": g.questionnaire,
        "weight": g.weight,
        "requires_email": g.requires_email,
        "quota": {"min": g.quota_min, "max": g.quota_max},
        "quota_by_kind": {k: {"min": mn, "max": mx} for k, (mn, mx) in g.quota_by_kind.items()},
    }
