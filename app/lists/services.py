"""Lists services beyond the import: overview, reproducible sampling, enumerator assignment."""
import random
import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from app.core import audit
from app.extensions import db
from app.models import Group, Respondent, RespondentList, RespondentTarget, Unit, User, UserScope

from .state import ListError, check_open, get_list

SAMPLE_METHOD = "python-random-sample-v1"


def overview(campaign, user) -> list[dict]:
    """One line per unit the user may see: list state and number of respondents."""
    units = [u for u in campaign.units if user.can_see_unit(u.code)]
    counts = dict(db.session.execute(select(Respondent.unit_id, func.count(Respondent.id))
                                     .where(Respondent.campaign_id == campaign.id).group_by(Respondent.unit_id)).all())
    lists = {rl.unit_id: rl for rl in db.session.scalars(select(RespondentList)
                                                         .where(RespondentList.campaign_id == campaign.id))}
    return [{"unit": u, "count": counts.get(u.id, 0), "list": lists.get(u.id),
             "state": lists[u.id].state if u.id in lists else "draft"} for u in units]


def _population_key(r) -> tuple:
    return (r.phone or "", r.email or "", r.full_name, r.id)


def draw_sample(campaign, unit: Unit, group: Group, n: int, seed: int | None = None, actor=None) -> dict:
    """Keep a reproducible random sample of n people of one group on the unit's list.

    Method (written into the list's sample note and the export): the group's people are
    sorted by normalised phone, e-mail, name; Python's random.Random(seed).sample picks n
    positions. The same list and seed always give the same sample. Those not drawn are
    removed from the list (they are never invited).
    """
    rlist = get_list(campaign, unit)
    check_open(campaign, rlist)
    if n is None or n < 1:
        raise ListError(_("Cỡ mẫu phải là số nguyên dương."))
    people = db.session.scalars(select(Respondent).where(Respondent.unit_id == unit.id,
                                                         Respondent.group_id == group.id)).all()
    if len(people) <= n:
        raise ListError(_("Nhóm %(group)s chỉ có %(have)d người, không lớn hơn cỡ mẫu %(n)d: không cần rút mẫu.",
                          group=group.code, have=len(people), n=n))
    seed = int(seed) if seed is not None else secrets.randbelow(10**9)
    population = sorted(people, key=_population_key)
    chosen = random.Random(seed).sample(range(len(population)), n)
    keep = {population[i].id for i in chosen}
    drop = [p.id for p in population if p.id not in keep]
    for start in range(0, len(drop), 500):
        chunk = drop[start:start + 500]
        db.session.execute(delete(RespondentTarget).where(RespondentTarget.respondent_id.in_(chunk)),
                           execution_options={"synchronize_session": False})
        db.session.execute(delete(Respondent).where(Respondent.id.in_(chunk)),
                           execution_options={"synchronize_session": False})
    note = _("Nhóm %(group)s: chọn ngẫu nhiên %(n)d trong %(total)d người. Phương pháp %(method)s: sắp xếp theo số điện thoại, "
             "thư điện tử, họ tên; chọn bằng random.Random(%(seed)d).sample(range(%(total)d), %(n)d) của Python.",
             group=group.code, n=n, total=len(population), method=SAMPLE_METHOD, seed=seed)
    rlist.sample_seed = seed
    rlist.sample_note = "\n".join(filter(None, [rlist.sample_note, note]))
    audit.record("list.sample", actor, campaign.id, target=unit.code, group=group.code, n=n,
                 population=len(population), seed=seed, method=SAMPLE_METHOD)
    db.session.flush()
    db.session.expire_all()
    return {"group": group.code, "population": len(population), "sample": n, "seed": seed, "method": SAMPLE_METHOD}


def unit_enumerators(unit: Unit) -> list[User]:
    """Enumerator accounts scoped to the unit."""
    return db.session.scalars(select(User).join(UserScope).where(
        User.role == "enumerator", UserScope.unit_code == unit.code).order_by(User.email)).all()


def assign_enumerator(campaign, unit: Unit, enumerator_id: int | None, actor=None) -> int:
    """Give the unit's respondents without e-mail to an enumerator scoped to the unit (None = nobody)."""
    if enumerator_id is not None and enumerator_id not in {u.id for u in unit_enumerators(unit)}:
        raise ListError(_("Tài khoản này không phải điều tra viên của đơn vị %(code)s.", code=unit.code))
    result = db.session.execute(update(Respondent).where(Respondent.unit_id == unit.id, Respondent.email.is_(None))
                                .values(enumerator_id=enumerator_id), execution_options={"synchronize_session": False})
    audit.record("list.assign_enumerator", actor, campaign.id, target=unit.code, enumerator_id=enumerator_id,
                 count=result.rowcount)
    db.session.flush()
    return result.rowcount


def clear_list(campaign, unit: Unit, actor=None) -> int:
    """Empty an open list (same rules as a replace)."""
    from .state import remove_respondents

    rlist = get_list(campaign, unit)
    check_open(campaign, rlist)
    n = remove_respondents(unit, reason="clear")
    rlist.last_upload = {}
    audit.record("list.clear", actor, campaign.id, target=unit.code, removed=n)
    db.session.flush()
    return n
