"""The answer sheet as a WTForms form built at run time from the questionnaire YAML."""
import functools
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from .services import DEFAULT_TEXT_LIMIT

PREFIX = "q_"  #: form field name = PREFIX + item code, so item codes never clash with csrf_token …


def _nfc(value):
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


@dataclass
class Section:
    """One field of the scheme ("Phần 2/7"): its name and the form fields of its questions."""

    number: int
    title: str
    fields: list


def build_form(questionnaire, strict: bool = True, with_mode: bool = False, formdata=None, data=None):
    """A form for `questionnaire`; `strict=False` (save draft) checks values but not required answers."""
    return _sheet_class(questionnaire, strict, with_mode)(formdata=formdata, data=data)


# A questionnaire is a frozen value (questionnaires/model.py): the form class is kept by its
# content, so an edited questionnaire gets a new class and the same one is not built per request.
@functools.lru_cache(maxsize=64)
def _sheet_class(questionnaire, strict: bool, with_mode: bool):
    class AnswerSheet(FlaskForm):
        pass

    for item in questionnaire.items:
        required = InputRequired(message=_l("Câu này là câu bắt buộc.")) if (strict and item.required) else Optional()
        if item.type == "choice":
            field = RadioField(item.text, validators=[required],
                               choices=[SelectChoice(o.code, o.label) for o in item.options],
                               invalid_choice_message=_l("Lựa chọn không hợp lệ cho câu này."))
        else:
            limit = item.max_length or DEFAULT_TEXT_LIMIT
            field = TextAreaField(item.text, filters=[_nfc], render_kw={"maxlength": limit},
                                  validators=[required, Length(max=limit, message=_l(
                                      "Câu trả lời dài quá %(max)d ký tự.", max=limit))])
        setattr(AnswerSheet, PREFIX + item.code, field)
    if with_mode:
        AnswerSheet.mode = RadioField(_l("Hình thức phỏng vấn"), validators=[InputRequired(message=_l(
            "Chọn hình thức phỏng vấn."))], choices=[SelectChoice("paper", _l("Phiếu giấy")),
                                                    SelectChoice("phone", _l("Qua điện thoại"))],
                                      invalid_choice_message=_l("Hình thức phỏng vấn không hợp lệ."))
    return AnswerSheet


def answers_of(form, questionnaire) -> dict:
    """{item code: value} of the answered questions."""
    out = {}
    for item in questionnaire.items:
        value = form[PREFIX + item.code].data
        if value not in (None, ""):
            out[item.code] = value
    return out


def draft_data(questionnaire, answers: dict) -> dict:
    """Form data from a saved draft (codes no longer in the questionnaire are dropped)."""
    return {PREFIX + item.code: answers[item.code] for item in questionnaire.items if item.code in answers}


def unknown_codes(formdata, questionnaire) -> list[str]:
    """Question codes posted that the questionnaire does not have (a forged or stale form)."""
    known = {item.code for item in questionnaire.items}
    return sorted(key[len(PREFIX):] for key in formdata if key.startswith(PREFIX) and key[len(PREFIX):] not in known)


def sections(form, questionnaire, scheme) -> list[Section]:
    """The form fields grouped by scheme field, in questionnaire order; free text last."""
    grouped = questionnaire.items_by_field()
    order = [code for code in grouped if code is not None] + ([None] if None in grouped else [])
    out = []
    for number, code in enumerate(order, start=1):
        title = scheme.field(code).name if code is not None else str(_l("Ý kiến khác"))
        out.append(Section(number, title, [(item, form[PREFIX + item.code]) for item in grouped[code]]))
    return out
