"""Enumerator entry (điều tra viên): paper and phone interviews of respondents without e-mail."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import clock
from app.core.lookups import campaign_or_404
from app.core.paging import matches, paginate, search_text
from app.core.policy import allow
from app.core.schemes import questionnaire as load_questionnaire
from app.extensions import db
from app.models import Unit

from .forms import answers_of, build_form, unknown_codes
from .routes import SURVEY_MAX_BYTES, bp, render_sheet
from .services import SurveyError, enter_interview, interview_target, interviews_for, is_closed


@bp.route("/survey/campaigns/<int:campaign_id>/interviews")
@allow("enumerator")
def interviews(campaign_id: int):
    """The enumerator's respondents and whether each is answered (never the answers)."""
    campaign = campaign_or_404(campaign_id)
    query, todo = (request.args.get("q") or "").strip(), request.args.get("todo") == "1"
    needle = search_text(query)
    rows = [row for row in interviews_for(current_user, campaign)
            if (not todo or not (row["answered"] or row["revoked"]))
            and matches(needle, row["respondent"].full_name, row["respondent"].phone, row["unit"].name)]
    found = paginate(rows, request.args.get("page"))
    args = {k: v for k, v in (("q", query), ("todo", "1" if todo else "")) if v}
    return render_template("survey/interviews.html", campaign=campaign, rows=found.items, found=found, query=query,
                           todo=todo, args=dict(args, campaign_id=campaign.id),
                           closed=is_closed(campaign, clock.today(campaign)))


@bp.route("/survey/campaigns/<int:campaign_id>/units/<unit_code>/interviews/<int:respondent_id>",
          methods=["GET", "POST"])
@allow("enumerator")
def interview(campaign_id: int, unit_code: str, respondent_id: int):
    """The same answer sheet, with the interview mode; one response per respondent and unit."""
    campaign = campaign_or_404(campaign_id)
    unit_id = db.session.scalar(db.select(Unit.id).where(Unit.campaign_id == campaign.id, Unit.code == unit_code))
    try:
        respondent, unit = interview_target(current_user, campaign, respondent_id, unit_id or 0)
    except LookupError:
        abort(404)
    except PermissionError:
        abort(403)
    back = url_for(".interviews", campaign_id=campaign.id)
    today = clock.today(campaign)
    if is_closed(campaign, today):
        flash(_("Đợt khảo sát đã kết thúc; không nhận thêm phiếu."), "error")
        return redirect(back)
    questionnaire = load_questionnaire(campaign.scheme_code, respondent.group.questionnaire_code)
    extra = {"respondent": respondent, "unit": unit, "back_url": back, "enumerator": True,
             "action_url": url_for(".interview", campaign_id=campaign.id, unit_code=unit.code,
                                   respondent_id=respondent.id)}
    if request.method == "GET":
        return render_sheet(build_form(questionnaire, with_mode=True, formdata=None), questionnaire, campaign, **extra)
    if (request.content_length or 0) > SURVEY_MAX_BYTES:
        abort(413)
    form = build_form(questionnaire, with_mode=True, formdata=request.form)
    unknown = unknown_codes(request.form, questionnaire)
    errors = [_("Câu hỏi %(codes)s không có trong phiếu này.", codes=", ".join(unknown))] if unknown else []
    if form.validate() and not errors:
        try:
            response = enter_interview(current_user, respondent, unit, questionnaire,
                                       answers_of(form, questionnaire), form.mode.data, today)
            db.session.commit()
            if response is None:
                flash(_("Người này đã có phiếu trả lời cho đơn vị này; không ghi thêm phiếu."), "warning")
            else:
                flash(_("Đã ghi nhận phiếu của %(name)s.", name=respondent.full_name), "success")
            return redirect(back, 303)
        except SurveyError as exc:
            db.session.rollback()
            errors.append(str(exc))
    return render_sheet(form, questionnaire, campaign, status=400, errors=errors, **extra)
