"""Access to the schemes in questionnaires/ for the app (loaded once per directory)."""
from functools import lru_cache

from flask import current_app

import questionnaires


class SchemeNotFound(LookupError):
    pass


@lru_cache(maxsize=8)
def _load(directory: str):
    result = questionnaires.load_directory(directory)
    if result.problems:
        raise questionnaires.SchemeError(result.problems)
    return result.schemes


def all_schemes() -> dict:
    return _load(current_app.config["QUESTIONNAIRES_DIR"])


def get_scheme(code: str):
    schemes = all_schemes()
    if code not in schemes:
        raise SchemeNotFound(code)
    return schemes[code]


def questionnaire(scheme_code: str, questionnaire_code: str):
    return get_scheme(scheme_code).questionnaires[questionnaire_code]
