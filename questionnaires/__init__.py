"""Schemes (bộ chỉ số) and questionnaires (phiếu khảo sát) as versioned YAML data.

Pure Python: no Flask. The app reads schemes through :func:`load_default` (cached) and
validates uploaded or edited directories with :func:`load_directory`.
"""
from .loader import (LoadResult, default_directory, load_default, load_directory,
                     load_scheme_dir)
from .model import (ASSESSED, SOURCES, SURVEY, Band, Criterion, Field, Group, Item, Leaf,
                    Option, Problem, Questionnaire, Scheme, SchemeError)

__all__ = [
    "ASSESSED", "SOURCES", "SURVEY", "Band", "Criterion", "Field", "Group", "Item", "Leaf",
    "LoadResult", "Option", "Problem", "Questionnaire", "Scheme", "SchemeError",
    "default_directory", "load_default", "load_directory", "load_scheme_dir",
]
