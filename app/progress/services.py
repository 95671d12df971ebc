"""Progress figures of a campaign: per assessed unit and group, aggregated in SQL.

Definitions (shown on the page too):
- on the list   = respondents whose list the unit uploaded (Respondent.unit_id);
- invitations   = invitation links for the assessed unit (Invitation.unit_id), revoked ones left out;
- invited       = status queued/sent/failed/bounced, or sent_at set, or (respondent without
                  e-mail, interviewed by an enumerator) an invitation exists;
- delivered     = status sent; failed = failed or bounced;
- opened        = opened_on set; answered = answered_on set;
- answer rate   = answered / invitations.

Speed (DESIGN.md §7): the figures are read from counter rows that database triggers keep in
the transaction of every change (app/models/counters.py) — one row per (unit, group) and per
(unit, day) — so the page reads a few thousand rows whatever the campaign's size; sorting,
filters and totals are done in Python. recount() gives the same figures by a direct GROUP BY.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select, text

from app.extensions import db
from app.models import Campaign, DailyAnswerCounter, Group, Invitation, ProgressCounter, Respondent, Unit, utcnow
from app.models.counters import COUNTED, invitation_vector

from .folding import GroupSet, fold_groups, hide_small_total

SORT_KEYS = ("code", "name", "kind", "listed", "invitations", "invited", "delivered", "failed", "opened",
             "answered", "rate", "reminders")


class ProgressError(ValueError):
    """Bad input for the dashboard; the message is shown to the user as is."""


FIELDS = ("listed", "invitations", "invited", "delivered", "failed", "opened", "answered", "reminders")
#: The figures each role sees. The assessed unit gets counts only (issue 12): listed, invited,
#: delivered, failed, answered — not opened, so nothing hints at who is reading the mail.
SHOWN = ("listed", "invitations", "invited", "delivered", "failed", "opened", "answered", "rate", "reminders")
FOCAL_SHOWN = ("listed", "invited", "delivered", "failed", "answered")


def shown_for(user) -> tuple[str, ...]:
    return SHOWN if user.role in ("admin", "coordinator") else FOCAL_SHOWN


class Counts:
    """The figures of one cell (unit × group), a unit, a group or the campaign."""

    __slots__ = FIELDS

    def __init__(self, listed=0, invitations=0, invited=0, delivered=0, failed=0, opened=0, answered=0,
                 reminders=0):
        self.listed, self.invitations, self.invited, self.delivered = listed, invitations, invited, delivered
        self.failed, self.opened, self.answered, self.reminders = failed, opened, answered, reminders

    @property
    def rate(self) -> float | None:
        """Answer rate in percent (answered / invitations), None without invitations or when
        "answered" is withheld from this reader (app/progress/folding.py)."""
        if not self.invitations or self.answered is None:
            return None
        return 100.0 * self.answered / self.invitations

    def add(self, o: "Counts") -> None:
        # Spelled out: this runs once per counter row, thousands of times per page.
        self.listed += o.listed
        self.invitations += o.invitations
        self.invited += o.invited
        self.delivered += o.delivered
        self.failed += o.failed
        self.opened += o.opened
        # A withheld figure stays withheld in every total it is part of (app/progress/folding.py).
        self.answered = None if self.answered is None or o.answered is None else self.answered + o.answered
        self.reminders += o.reminders

    def as_dict(self, shown: tuple[str, ...] = SHOWN) -> dict:
        out = {name: getattr(self, name) for name in FIELDS if name in shown}
        if "rate" in shown:
            out["rate"] = None if self.rate is None else round(self.rate, 2)
        return out

    def __eq__(self, other) -> bool:
        return isinstance(other, Counts) and all(getattr(self, n) == getattr(other, n) for n in FIELDS)

    def __repr__(self) -> str:
        return "Counts(" + ", ".join(f"{n}={getattr(self, n)}" for n in FIELDS) + ")"


@dataclass
class GroupRow:
    group: Group
    counts: Counts


@dataclass
class UnitRow:
    unit: Unit
    counts: Counts = field(default_factory=Counts)
    groups: list[GroupRow] = field(default_factory=list)


@dataclass
class Filters:
    """Dashboard filters, already parsed and checked (see parse_filters)."""

    kind: str | None = None
    group_id: int | None = None
    rate_below: float | None = None
    sort: str = "code"
    descending: bool = False


@dataclass
class Progress:
    campaign: Campaign
    units: list[UnitRow]
    totals: Counts
    groups: list[Group]
    per_day: list[tuple[date, int]]
    taken_at: datetime
    kinds: list[str]
    by_group: list[GroupRow] = field(default_factory=list)
    #: The figures this reader may see (shown_for).
    shown: tuple[str, ...] = SHOWN

    def as_dict(self) -> dict:
        """The same figures as the page, for the JSON endpoint and the CLI."""
        return {
            "campaign": {"id": self.campaign.id, "name": self.campaign.name,
                         "answers_by": self.campaign.answers_by.isoformat()},
            "taken_at": self.taken_at.isoformat(timespec="seconds") + "Z",
            "totals": self.totals.as_dict(self.shown),
            "units": [{"id": r.unit.id, "code": r.unit.code, "name": r.unit.name, "kind": r.unit.kind,
                       **r.counts.as_dict(self.shown),
                       "groups": [{"id": g.group.id, "code": g.group.code, "name": g.group.name,
                                   **g.counts.as_dict(self.shown)} for g in r.groups]} for r in self.units],
            "groups": [{"id": g.group.id, "code": g.group.code, "name": g.group.name,
                        **g.counts.as_dict(self.shown)}
                       for g in self.by_group],
            "answers_per_day": [{"date": d.isoformat(), "answered": n} for d, n in self.per_day],
        }


def parse_filters(args) -> Filters:
    """Read the filters from query arguments; a value that is not a number raises ProgressError."""
    f = Filters(kind=(args.get("kind") or "").strip() or None)
    raw_group = (args.get("group") or "").strip()
    if raw_group:
        try:
            f.group_id = int(raw_group)
        except ValueError:
            raise ProgressError(_msg("group", raw_group)) from None
    raw_rate = (args.get("rate_below") or "").strip().replace(",", ".")
    if raw_rate:
        try:
            f.rate_below = float(raw_rate)
        except ValueError:
            raise ProgressError(_msg("rate_below", raw_rate)) from None
        if not 0 <= f.rate_below <= 100:
            raise ProgressError(_msg("rate_range", raw_rate))
    sort = (args.get("sort") or "code").strip()
    f.descending = sort.startswith("-")
    f.sort = sort.lstrip("-")
    if f.sort not in SORT_KEYS:
        raise ProgressError(_msg("sort", sort))
    return f


def _msg(kind: str, value: str) -> str:
    from flask_babel import gettext as _

    if kind == "group":
        return _("Bộ lọc nhóm '%(value)s' không phải là số; chọn nhóm trong danh sách.", value=value)
    if kind == "rate_below":
        return _("Bộ lọc tỉ lệ '%(value)s' không phải là số; nhập một số từ 0 đến 100.", value=value)
    if kind == "rate_range":
        return _("Bộ lọc tỉ lệ '%(value)s' phải nằm trong khoảng 0 đến 100.", value=value)
    return _("Không sắp xếp được theo '%(value)s'.", value=value)


def campaign_progress(campaign: Campaign, unit_ids: list[int] | None = None,
                      filters: Filters | None = None, shown: tuple[str, ...] = SHOWN) -> Progress:
    """Figures per assessed unit and group. `unit_ids` limits to a focal user's units (None = all);
    `shown` the figures the reader may see (a sort on another figure falls back to the unit code)."""
    filters = filters or Filters()
    if filters.sort not in shown + ("code", "name", "kind"):
        filters.sort, filters.descending = "code", False
    taken_at = utcnow()
    units_q = select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.code)
    if unit_ids is not None:
        units_q = units_q.where(Unit.id.in_(unit_ids or [-1]))
    units = db.session.scalars(units_q).all()
    groups = db.session.scalars(select(Group).where(Group.campaign_id == campaign.id)
                                .order_by(Group.priority)).all()
    group_by_id = {g.id: g for g in groups}
    kinds = sorted({u.kind for u in units})
    if filters.kind:
        units = [u for u in units if u.kind == filters.kind]
    rows = {u.id: UnitRow(u) for u in units}
    per_unit: dict[int, list] = {}
    for (unit_id, group_id), counts in read_counters(campaign, list(rows) if unit_ids is not None else None).items():
        if unit_id in rows and group_id in group_by_id:
            per_unit.setdefault(unit_id, []).append((group_by_id[group_id], counts))
    # The assessed unit's view: small cells merged before the group filter (app/progress/folding.py).
    fold_below = (campaign.min_cell_sheets or 3) if shown == FOCAL_SHOWN else None
    priority = {g.id: g.priority for g in groups}  # not an ORM attribute read per cell (5 000 at 1 000 units)
    for unit_id, cells in per_unit.items():
        if fold_below:
            cells = fold_groups(cells, fold_below, Counts)
        else:
            cells.sort(key=lambda cell: priority[cell[0].id])
        row = rows[unit_id]
        for group, counts in cells:
            if filters.group_id is None or (group.contains(filters.group_id) if isinstance(group, GroupSet)
                                            else group.id == filters.group_id):
                row.groups.append(GroupRow(group, counts))
                row.counts.add(counts)
        if fold_below:
            hide_small_total(row.counts, fold_below)
            for gr in row.groups:
                hide_small_total(gr.counts, fold_below)

    result = list(rows.values())
    if filters.group_id is not None:
        result = [r for r in result if r.groups]
    if filters.rate_below is not None:
        # A unit without invitations has no rate yet: it is behind too.
        result = [r for r in result if r.counts.rate is None or r.counts.rate < filters.rate_below]
    result.sort(key=_sort_key(filters.sort), reverse=filters.descending)
    totals = Counts()
    group_totals = {g.id: GroupRow(g, Counts()) for g in groups}
    for r in result:
        totals.add(r.counts)
        for gr in r.groups:
            if gr.group.id in group_totals:
                group_totals[gr.group.id].counts.add(gr.counts)
    # The daily counters are per unit (not per group): the chart follows the unit filters only.
    per_day = answers_per_day(campaign, [r.unit.id for r in result]
                              if (unit_ids is not None or filters.kind or filters.rate_below is not None) else None)
    by_group = [gr for gr in group_totals.values() if gr.counts.invitations or gr.counts.listed]
    if fold_below:
        by_group = []  # per group across units: their difference with the rows shown isolates a small cell
        # Answers per day add up to "answered": only the units whose figure is shown may count in them.
        per_day = answers_per_day(campaign, [r.unit.id for r in result if r.counts.answered is not None])
    return Progress(campaign, result, totals, groups, per_day, taken_at, kinds, by_group, shown)


def _sort_key(name: str):
    if name in ("code", "name", "kind"):
        return lambda r: (getattr(r.unit, name) or "").lower()
    if name == "rate":
        return lambda r: (r.counts.rate is not None, r.counts.rate or 0.0, r.unit.code)
    return lambda r: (getattr(r.counts, name) is not None, getattr(r.counts, name) or 0, r.unit.code)


def answers_per_day(campaign: Campaign, unit_ids: list[int] | None = None) -> list[tuple[date, int]]:
    """Number of invitations answered on each day (coarse dates only, by design), from the counters."""
    d = DailyAnswerCounter.__table__.c
    q = (select(d.day, func.sum(d.answered)).where(d.campaign_id == campaign.id, d.answered > 0)
         .group_by(d.day).order_by(d.day))
    if unit_ids is not None:
        q = q.where(d.unit_id.in_(unit_ids or [-1]))
    out = []
    for day, n in db.session.execute(q):
        if isinstance(day, str):  # SQLite through a Core select may return the stored text
            day = date.fromisoformat(day)
        out.append((day, int(n)))
    return out


def read_counters(campaign: Campaign, unit_ids: list[int] | None = None) -> dict[tuple[int, int], Counts]:
    """(unit_id, group_id) -> Counts from the trigger-maintained counter rows (a few thousand at most)."""
    t = ProgressCounter.__table__.c
    q = select(t.unit_id, t.group_id, t.listed, *(t[name] for name in COUNTED)).where(t.campaign_id == campaign.id)
    if unit_ids is not None:
        q = q.where(t.unit_id.in_(unit_ids or [-1]))
    out = {}
    for unit_id, group_id, listed, *rest in db.session.execute(q).all():
        if listed or any(rest):
            out[(unit_id, group_id)] = Counts(listed, *rest)
    return out


def recount(campaign: Campaign) -> dict[tuple[int, int], Counts]:
    """The same figures by a direct GROUP BY over invitations and respondents (slow at scale).

    Used to check the counters; Counts fields are in the order of ProgressCounter's columns.
    """
    out: dict[tuple[int, int], Counts] = {}
    # The counters' own per-row definition (app/models/counters.py), summed: one definition.
    sums = ", ".join(f"SUM({v})" for v in invitation_vector("i"))
    invitation_q = text(f"SELECT i.unit_id, i.group_id, {sums} FROM invitations i WHERE i.campaign_id = :c "
                        "GROUP BY i.unit_id, i.group_id").bindparams(c=campaign.id)
    for unit_id, group_id, *figures in db.session.execute(invitation_q):
        if any(figures):
            out[(unit_id, group_id)] = Counts(0, *(int(v or 0) for v in figures))
    res = Respondent.__table__.c
    for unit_id, group_id, n in db.session.execute(
            select(res.unit_id, res.group_id, func.count()).where(res.campaign_id == campaign.id)
            .group_by(res.unit_id, res.group_id)):
        out.setdefault((unit_id, group_id), Counts()).listed = n
    return out


def recount_per_day(campaign: Campaign) -> list[tuple[date, int]]:
    """Answers per day by a direct GROUP BY (to check the daily counters)."""
    inv = Invitation.__table__.c
    rows = db.session.execute(
        select(inv.answered_on, func.count())
        .where(inv.campaign_id == campaign.id, inv.answered_on.is_not(None), inv.revoked_at.is_(None))
        .group_by(inv.answered_on).order_by(inv.answered_on)).all()
    return [(date.fromisoformat(d) if isinstance(d, str) else d, n) for d, n in rows]


def visible_unit_ids(campaign: Campaign, user) -> list[int] | None:
    """None for admins and coordinators (every unit); a focal user's own units otherwise."""
    if user.role in ("admin", "coordinator"):
        return None
    codes = user.unit_codes
    if not codes:
        return []
    return list(db.session.scalars(select(Unit.id).where(Unit.campaign_id == campaign.id, Unit.code.in_(codes))))


def rebuild_counters(campaign: Campaign) -> None:
    """Recompute the campaign's counter rows from scratch (after a bulk load with triggers off; a repair)."""
    db.session.execute(delete(ProgressCounter).where(ProgressCounter.campaign_id == campaign.id))
    db.session.execute(delete(DailyAnswerCounter).where(DailyAnswerCounter.campaign_id == campaign.id))
    rows = [{"campaign_id": campaign.id, "unit_id": u, "group_id": g, **{n: getattr(c, n) for n in FIELDS}}
            for (u, g), c in recount(campaign).items()]
    if rows:
        db.session.execute(insert(ProgressCounter.__table__), rows)
    inv = Invitation.__table__.c
    daily = db.session.execute(
        select(inv.unit_id, inv.answered_on, func.count())
        .where(inv.campaign_id == campaign.id, inv.answered_on.is_not(None), inv.revoked_at.is_(None))
        .group_by(inv.unit_id, inv.answered_on)).all()
    if daily:
        db.session.execute(insert(DailyAnswerCounter.__table__), [
            {"campaign_id": campaign.id, "unit_id": u, "day": date.fromisoformat(d) if isinstance(d, str) else d,
             "answered": n} for u, d, n in daily])
    db.session.flush()
