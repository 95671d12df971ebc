"""What the assessed unit may see of its own progress: no figure that singles out a person.

A focal unit knows who is on its list. If a group of its unit has one or two invited people
(one People's Council delegate, two deputy directors), the group's "answered" count tells it
whether *that* person has answered — the watching of evaluators the survey forbids (DESIGN:
the focal unit "never sees … which person has answered").

The rule, the same k as the index's small cells (``Campaign.min_cell_sheets``, default 3):
- a group row of a unit with 0 < invited < k is merged with the unit's next smallest row (its
  name becomes "A + B"), until every row has 0 or ≥ k invited people — so the unit total minus
  the rows shown never isolates a small group;
- a unit whose whole total has 0 < invited < k shows no "answered" figure at all (None);
- the group filter selects the merged rows that contain the group (filtering must not undo a
  merge by showing one of its parts alone);
- totals over several units inherit a hidden figure (None propagates through ``Counts.add``),
  the per-group totals across units are not given (their difference with the rows shown
  would isolate a small group of one unit), and the answers per day count only the units
  whose figure is shown;
- the routes add the rest (app/progress/routes.py): the focal unit's "remind" gets no count back
  and the campaign's mail queue is not shown to it — a count before and after its own click
  would say how many of a small group have not answered.

Coordinators and the secretariat see every cell: they follow up people, by design.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupSet:
    """Several groups shown as one row (the merged small cells); quacks like a Group in templates."""

    groups: tuple

    @property
    def id(self):  # no single group: no per-group action (e.g. "remind this group") on the row
        return None

    @property
    def code(self) -> str:
        return "+".join(g.code for g in self.groups)

    @property
    def name(self) -> str:
        return " + ".join(g.name for g in self.groups)

    def contains(self, group_id: int) -> bool:
        return any(g.id == group_id for g in self.groups)


def fold_groups(cells: list, k: int, make_counts) -> list:
    """[(group, Counts)] of one unit → [(Group or GroupSet, Counts)] with no row of 0 < invited < k
    (unless the whole unit is that small: then one row). Order of the result: by group priority.

    The merge order depends only on the figures and the groups' priorities, not on the input order.
    """
    rows = [((g,), c) for g, c in cells]

    def size(row):
        return (row[1].invited, min(g.priority for g in row[0]), min(g.id for g in row[0]))

    while len(rows) > 1:
        small = [r for r in rows if 0 < r[1].invited < k]
        if not small:
            break
        first = min(small, key=size)
        rest = [r for r in rows if r is not first]
        second = min(rest, key=size)
        merged = make_counts()
        merged.add(first[1])
        merged.add(second[1])
        groups = tuple(sorted(first[0] + second[0], key=lambda g: (g.priority, g.id)))
        rows = [r for r in rest if r is not second] + [(groups, merged)]
    rows.sort(key=lambda r: (min(g.priority for g in r[0]), min(g.id for g in r[0])))
    return [(groups[0] if len(groups) == 1 else GroupSet(groups), counts) for groups, counts in rows]


def hide_small_total(counts, k: int) -> None:
    """A unit (or row) with 0 < invited < k keeps its counts but not "answered"."""
    if 0 < counts.invited < k:
        counts.answered = None
