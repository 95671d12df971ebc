"""Schemes (bộ chỉ số) and questionnaires (phiếu khảo sát) as versioned YAML data.

Pure Python: no Flask. Everything reads a directory of schemes with :func:`load_directory`
(the app through ``app.core.schemes``, once per directory; the shipped ones are in
:func:`default_directory`).
"""
from .loader import (LoadResult, default_directory, load_directory,
                     load_scheme_dir)
from .model import (ASSESSED, SOURCES, SURVEY, Band, Criterion, Field, Group, Item, Leaf,
                    Option, Problem, Questionnaire, Scheme, SchemeError)

__all__ = [
    "ASSESSED", "SOURCES", "SURVEY", "Band", "Criterion", "Field", "Group", "Item", "Leaf",
    "LoadResult", "Option", "Problem", "Questionnaire", "Scheme", "SchemeError",
    "default_directory", "load_directory", "load_scheme_dir",
]
