"""The coordinator's 8 a.m. question — who is behind? Units by answers against their target.

A unit's target is, per group, the quota minimum for the unit's kind, or the invitations sent
where a group has no minimum; the gap is the people still missing to reach it.
"""
from dataclasses import dataclass

from app.core import clock
from app.mailing.services import reminders_quiet

from .services import Progress


@dataclass(frozen=True)
class Laggard:
    unit: object
    answered: int
    invitations: int
    target: int
    gap: int  #: people still to answer to reach the target
    rate: float  #: answered / target, 0–100 (0 while the target is 0 and nothing came in)

    @property
    def bar(self) -> int:
        return int(min(100.0, self.rate))


def laggards(progress: Progress) -> list[Laggard]:
    """Every unit of the figures (those without invitations too), the furthest behind first."""
    out = []
    # The minimum per (group, kind) read once: a few kinds, not once per unit and group.
    minimum = {kind: [(group.id, group.quota_for(kind)[0]) for group in progress.groups] for kind in progress.kinds}
    for row in progress.units:
        invited = {gr.group.id: gr.counts.invitations for gr in row.groups}
        target = 0
        for group_id, lo in minimum.get(row.unit.kind) or [(g.id, g.quota_for(row.unit.kind)[0]) for g in progress.groups]:
            target += lo if lo else invited.get(group_id, 0)
        answered = row.counts.answered
        rate = 100.0 * answered / target if target else (100.0 if answered else 0.0)
        out.append(Laggard(row.unit, answered, row.counts.invitations, target, max(0, target - answered), rate))
    out.sort(key=lambda r: (r.rate, -r.gap, r.unit.code))
    return out


def days_left(campaign) -> int:
    return clock.days_left(campaign.answers_by, campaign)


#: Units listed in the panel unless the coordinator asks for all: the ones to call first. Every unit
#: is in the progress table below; a province's 1 000 units listed twice made half of the page.
SHOWN_FIRST = 20


def board_context(campaign, progress: Progress, show_all: bool = False) -> dict:
    """What the dashboard shows a coordinator above the tables: from the counters only. Who exactly
    would get a reminder (gap, cap, addresses) needs the invitations themselves, O(invitations):
    it is counted on the confirmation page the button leads to (`board.remind_laggards`), not on
    every view of the dashboard (DESIGN.md §7: ≤ 100 ms at 1 000 000 invitations).

    The panel lists the SHOWN_FIRST units furthest behind (all with `show_all`); `more` says how
    many are left out, `behind` counts every unit below its target."""
    rows = laggards(progress)
    shown = rows if show_all else rows[:SHOWN_FIRST]
    return {"laggards": shown, "more": len(rows) - len(shown), "days_left": days_left(campaign),
            "quiet": reminders_quiet(campaign), "behind": sum(1 for r in rows if r.gap > 0)}
