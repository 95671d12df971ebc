"""The respondent's form behind a signed link, and enumerator entry (issue: answering)."""
import re
import secrets

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from app.core import clock
from app.core.policy import PUBLIC, allow
from app.core.schemes import get_scheme
from app.core.security import client_address, keyed_hash, network_prefix
from app.extensions import db
from app.mailing.waiting import still_waiting

from .forms import answers_of, build_form, draft_data, sections, unknown_codes
from .services import (ANSWERED, CLOSED, INVALID, Paradata, SurveyError, open_link,
                       questionnaire_for, resolve_survey_link, save_draft, submit_response)

bp = Blueprint("survey", __name__, template_folder="templates")

DEVICE_COOKIE = "ps_dev"
DEVICE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
POSITION_RE = re.compile(r"^q_[A-Za-z0-9_]{1,50}-q$")
#: An answer sheet is a few kilobytes; free text is capped per question (default 2 000 characters).
SURVEY_MAX_BYTES = 256 * 1024

@bp.after_request
def _no_store(response):
    # Back button and shared computers: never show a cached answer sheet.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    return render_template("survey/message.html", kind="too_large"), 413


def message(kind: str, status: int, campaign=None, invitation=None):
    """The one page for a link that does not lead to the form (invalid, answered, closed).

    After an answer the respondent's other units still waiting are offered (their own links only)."""
    waiting = still_waiting(invitation) if kind == "thanks" and invitation is not None else []
    return render_template("survey/message.html", kind=kind, campaign=campaign, waiting=waiting), status


def device_id() -> tuple[str, bool]:
    """The browser's random device cookie, or a new one (second value: must be set)."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    if DEVICE_RE.match(value):
        return value, False
    return secrets.token_urlsafe(16), True


def paradata(device: str) -> Paradata:
    """Keyed hashes of the client network (full and /24 or /48), user-agent and device."""
    address = client_address()
    return Paradata(net_hash=keyed_hash(address, "net"),
                    net_prefix_hash=keyed_hash(network_prefix(address) if address else None, "net-prefix"),
                    ua_hash=keyed_hash(request.user_agent.string, "ua"),
                    device_hash=keyed_hash(device, "device"))


def render_sheet(form, questionnaire, campaign, status=200, errors=(), **extra):
    scheme = get_scheme(campaign.scheme_code)
    parts = sections(form, questionnaire, scheme)
    answered = sum(1 for part in parts for _item, field in part.fields if field.data not in (None, ""))
    total = sum(len(part.fields) for part in parts)
    field_errors = [(item, field) for part in parts for item, field in part.fields if field.errors]
    return render_template("survey/form.html", form=form, questionnaire=questionnaire, campaign=campaign,
                           sections=parts, answered=answered, total=total, errors=list(errors),
                           field_errors=field_errors, **extra), status


@bp.route("/s/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def answer(token: str):
    """GET shows the form (draft filled in); POST saves the draft ("Lưu tạm") or submits ("Gửi phiếu")."""
    today = clock.today()
    link = resolve_survey_link(token, today)
    if link.state == INVALID:
        return message("invalid", 404)
    if link.state == ANSWERED:
        return message("thanks", 200, link.campaign, link.invitation)
    if link.state == CLOSED:
        return message("closed", 410, link.campaign)
    invitation, campaign = link.invitation, link.campaign
    questionnaire = questionnaire_for(invitation, campaign)
    device, new_device = device_id()
    data = paradata(device)
    if request.method == "GET":
        draft = open_link(invitation, data, today)
        if draft is None:
            db.session.commit()
            return message("thanks", 200, campaign, invitation)
        form = build_form(questionnaire, formdata=None, data=draft_data(questionnaire, draft.answers))
        # Written before the commit, which would expire the rows the page reads (a round trip each).
        body, status = render_sheet(form, questionnaire, campaign, action_url=url_for(".answer", token=token),
                                    unit=link.unit, waiting=still_waiting(invitation))
        db.session.commit()
        return _with_device(make_response(body, status), device, new_device)

    if (request.content_length or 0) > SURVEY_MAX_BYTES:
        abort(413)
    action = request.form.get("action")
    saving = action in ("save", "autosave")
    form = build_form(questionnaire, strict=not saving, formdata=request.form)
    unknown = unknown_codes(request.form, questionnaire)
    errors = [_("Câu hỏi %(codes)s không có trong phiếu này.", codes=", ".join(unknown))] if unknown else []
    if form.validate() and not errors:
        answers = answers_of(form, questionnaire)
        try:
            if saving:
                kept = save_draft(invitation, answers, data, today)
            else:
                submit_response(invitation, questionnaire, answers, today, data)
            db.session.commit()
            if action == "autosave":  # survey.js, in the background: no page, no flash
                return _with_device(jsonify(saved=kept, at=clock.now(campaign).strftime("%H:%M")),
                                    device, new_device)
            if saving and kept:
                flash(_("Đã lưu tạm câu trả lời. Ông/Bà có thể quay lại bằng đường dẫn trong thư để gửi phiếu."),
                      "success")
            # Submitted (or answered meanwhile): the link now shows the thank-you page; a saved draft
            # comes back where the respondent was.
            target = url_for(".answer", token=token) + (_position(request.form) if saving and kept else "")
            return _with_device(redirect(target, 303), device, new_device)
        except SurveyError as exc:
            db.session.rollback()
            errors.append(str(exc))
    if action == "autosave":
        return jsonify(saved=False), 400
    body, status = render_sheet(form, questionnaire, campaign, status=400, errors=errors,
                                action_url=url_for(".answer", token=token), unit=link.unit,
                                waiting=still_waiting(invitation))
    return _with_device(make_response(body, status), device, new_device)


def _position(form) -> str:
    """The fragment of the question the respondent was at (sent by survey.js), if well-formed."""
    position = form.get("position", "")
    return f"#{position}" if POSITION_RE.match(position) else ""


def _with_device(response, device: str, new: bool):
    if new:
        response.set_cookie(DEVICE_COOKIE, device, max_age=2 * 365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=request.is_secure)
    return response

