"""Shared set-up of the mailing benches: a throw-away database with approved respondents."""
import os
import tempfile

from sqlalchemy import insert, select


def make_app(mail_url=None, url=None):
    from app import create_app
    from app.core.i18n import compile_catalogs
    from app.extensions import db
    from config import _normalise_db_url

    compile_catalogs()
    tmp = tempfile.mkdtemp(prefix="parsurvey-bench-")
    url = _normalise_db_url(url or os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "MAIL_URL": mail_url,
                      "INSTANCE_DIR": tmp, "MAIL_DEV_DIR": f"{tmp}/mail"})
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def seed(n: int, units: int = 100):
    """A campaign with `n` approved respondents (LD_PHONG group, e-mail), spread over `units` units."""
    from app.admin.services import create_campaign
    from app.core.bulk import insert_rows
    from app.extensions import db
    from app.models import Group, Respondent, RespondentList, RespondentTarget, Unit, utcnow

    campaign = create_campaign("PAR_PROVINCE", 2026, "Bench")
    db.session.execute(insert(Unit), [{"campaign_id": campaign.id, "code": f"U{i:04d}", "name": f"Sở số {i}",
                                       "kind": "department", "survey_voided": False} for i in range(units)])
    unit_ids = list(db.session.scalars(select(Unit.id).where(Unit.campaign_id == campaign.id).order_by(Unit.id)))
    group_id = db.session.scalar(select(Group.id).where(Group.campaign_id == campaign.id, Group.code == "LD_PHONG"))
    now = utcnow()
    insert_rows(Respondent.__table__, ("campaign_id", "unit_id", "group_id", "full_name", "position", "organisation",
                                       "address", "email", "phone", "email_status", "created_at"),
                ((campaign.id, unit_ids[i % units], group_id, f"Nguyễn Văn {i}", "", "", "", f"nguoi{i}@bench.gov.vn",
                  None, "ok", now) for i in range(n)))
    ids = db.session.execute(select(Respondent.id, Respondent.unit_id).where(Respondent.campaign_id == campaign.id)).all()
    insert_rows(RespondentTarget.__table__, ("respondent_id", "unit_id"), ids)
    db.session.execute(insert(RespondentList), [{"campaign_id": campaign.id, "unit_id": u, "state": "approved"}
                                                for u in unit_ids])
    db.session.commit()
    return campaign
