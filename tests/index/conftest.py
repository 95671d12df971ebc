"""Factories for the index tests: responses created directly (the answering UI is elsewhere)."""
import io

import pytest
from openpyxl import load_workbook

from app.core.schemes import get_scheme
from app.extensions import db
from app.models import Answer, Group, Response, Unit


@pytest.fixture
def make_responses(app):
    """make_responses(campaign, unit_code, group_code, option="a", n=1, excluded=False, overrides=None)
    -> list of response ids. Every choice item of the group's questionnaire is answered with
    ``option`` (overrides: item code -> option code, or None to skip the item)."""

    def make(campaign, unit_code, group_code, option="a", n=1, excluded=False, overrides=None):
        scheme = get_scheme(campaign.scheme_code)
        unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == unit_code))
        group = db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == group_code))
        q = scheme.questionnaires[group.questionnaire_code]
        ids = []
        for _ in range(n):
            r = Response(campaign_id=campaign.id, unit_id=unit.id, group_id=group.id, questionnaire_code=q.code,
                         questionnaire_version=q.version, excluded=excluded)
            db.session.add(r)
            db.session.flush()
            for item in q.items:
                if item.type != "choice":
                    db.session.add(Answer(response_id=r.id, item_code=item.code, text="Ý kiến"))
                    continue
                code = (overrides or {}).get(item.code, option)
                if code is None:
                    continue
                credit = next(o.credit for o in item.options if o.code == code)
                db.session.add(Answer(response_id=r.id, item_code=item.code, option_code=code, credit=credit))
            ids.append(r.id)
        db.session.commit()
        return ids

    return make


def workbook_from(data: bytes):
    return load_workbook(io.BytesIO(data))


def fill_template(data: bytes, values) -> bytes:
    """Fill a template: ``values(unit, criterion, max) -> dict`` of header -> cell value."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    for r in range(2, ws.max_row + 1):
        unit, crit, top = ws.cell(r, col["Mã đơn vị"]).value, ws.cell(r, col["Mã tiêu chí"]).value, \
            ws.cell(r, col["Điểm tối đa"]).value
        for header, value in (values(unit, crit, top) or {}).items():
            ws.cell(r, col[header]).value = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
