"""One person on a unit's list: the list page's search and paging, and editing or deleting
one row of a list that is still open (draft or returned, before the deadline). Audited."""
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from app.core import audit
from app.core.tabular import clean, fold
from app.extensions import db
from app.models import Group, Invitation, Respondent, RespondentTarget, Unit

from . import normalise as norm
from .importer import validate_row
from .state import ListError, check_open, get_list

PAGE_SIZE = 100
EDITED = ("full_name", "position", "organisation", "email", "phone", "address")


def page(unit: Unit, query: str = "", number: int = 1) -> tuple[list[Respondent], int, int]:
    """People of the unit's list matching ``query`` (name, e-mail, phone, organisation), one page.
    Returns (people, matching count, page count)."""
    where = [Respondent.unit_id == unit.id]
    query = clean(query)
    if query:
        like = f"%{query}%"
        digits = "".join(ch for ch in query if ch.isdigit())
        where.append(or_(Respondent.full_name.ilike(like), Respondent.email.ilike(like),
                         Respondent.organisation.ilike(like),
                         *([Respondent.phone.contains(digits)] if len(digits) >= 3 else [])))
    total = db.session.scalar(select(func.count(Respondent.id)).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    people = db.session.scalars(select(Respondent).where(*where).order_by(Respondent.group_id, Respondent.id)
                                .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return people, total, pages


def get_person(unit: Unit, respondent_id: int) -> Respondent | None:
    person = db.session.get(Respondent, respondent_id)
    return person if person is not None and person.unit_id == unit.id else None


def _open_for_person(campaign, unit: Unit, person: Respondent) -> None:
    check_open(campaign, get_list(campaign, unit))
    invited = db.session.scalar(select(func.count(Invitation.id)).where(Invitation.respondent_id == person.id))
    if invited:
        raise ListError(_("Người này đã được gửi thư mời: không thể sửa hay xoá trên danh sách. "
                          "Hãy liên hệ Tổ thư ký."))


def edit_person(campaign, unit: Unit, person: Respondent, form_values: dict, actor=None) -> list[str]:
    """Change one person's row after the same checks as an uploaded row; returns the changed fields."""
    _open_for_person(campaign, unit, person)
    groups_list = db.session.scalars(select(Group).where(Group.campaign_id == campaign.id)).all()
    groups = {fold(g.name): g for g in groups_list} | {fold(g.code): g for g in groups_list}
    units = {code.upper(): uid for uid, code in db.session.execute(
        select(Unit.id, Unit.code).where(Unit.campaign_id == campaign.id))}
    values = {k: clean(form_values.get(k) or "") for k in EDITED + ("group", "targets")}
    good, errors = validate_row(values, groups, units, unit)
    if errors:
        raise ListError(" ".join(errors))
    _refuse_duplicate(campaign, person, good)
    changed = [k for k in EDITED if getattr(person, k) != good[k]]
    for k in EDITED:
        setattr(person, k, good[k])
    if person.group_id != good["group"].id:
        person.group_id = good["group"].id
        changed.append("group")
    old_targets = set(db.session.scalars(select(RespondentTarget.unit_id)
                                         .where(RespondentTarget.respondent_id == person.id)))
    if old_targets != good["targets"]:
        db.session.execute(delete(RespondentTarget).where(RespondentTarget.respondent_id == person.id))
        db.session.add_all(RespondentTarget(respondent_id=person.id, unit_id=u) for u in sorted(good["targets"]))
        changed.append("targets")
    audit.record("list.person_edit", actor, campaign.id, target=unit.code, respondent_id=person.id,
                 source_row=person.source_row, fields=changed)
    db.session.flush()
    return changed


def _refuse_duplicate(campaign, person: Respondent, good: dict) -> None:
    """The edited row must not become someone already listed in the campaign."""
    keys = [k for k in norm.person_keys(good["email"], good["phone"], good["full_name"], good["organisation"])[:2] if k]
    for kind, value in keys:
        column = Respondent.email if kind == "e" else Respondent.phone
        other = db.session.scalar(select(Respondent.id).where(Respondent.campaign_id == campaign.id, column == value,
                                                              Respondent.id != person.id).limit(1))
        if other is not None:
            raise ListError(_("Thư điện tử hoặc số điện thoại này đã có trong danh sách (mã đối tượng %(id)d).", id=other))


def delete_person(campaign, unit: Unit, person: Respondent, actor=None) -> None:
    """Remove one person (and their target units) from an open list."""
    _open_for_person(campaign, unit, person)
    audit.record("list.person_delete", actor, campaign.id, target=unit.code, respondent_id=person.id,
                 source_row=person.source_row)
    db.session.execute(delete(RespondentTarget).where(RespondentTarget.respondent_id == person.id))
    db.session.execute(delete(Respondent).where(Respondent.id == person.id))
    db.session.flush()
