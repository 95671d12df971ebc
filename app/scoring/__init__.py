"""Pure scoring of the PAR Index (DESIGN §4): DataFrames in, DataFrames out.

No Flask, no database: the app's services load the frames, call these
functions and persist or export the results.
"""

from .combine import (
    FIELD_POINTS_COLUMNS,
    FLAGS,
    LEAF_POINTS_COLUMNS,
    TOTALS_COLUMNS,
    IndexResult,
    compute_index,
)
from .inputs import REQUIRED_COLUMNS, IndexInputs, ScoringInputError, validate_assessments
from .robustness import (
    LEAVE_ONE_OUT_COLUMNS,
    ROBUSTNESS_COLUMNS,
    leave_one_field_out,
    rank_robustness,
)
from .ranking import TIE_TOLERANCE, assign_band, competition_rank
from .survey import SURVEY_DETAIL_COLUMNS, Aggregates, aggregate_answers

__all__ = [
    "Aggregates",
    "FIELD_POINTS_COLUMNS",
    "FLAGS",
    "IndexInputs",
    "IndexResult",
    "LEAF_POINTS_COLUMNS",
    "LEAVE_ONE_OUT_COLUMNS",
    "REQUIRED_COLUMNS",
    "ROBUSTNESS_COLUMNS",
    "SURVEY_DETAIL_COLUMNS",
    "ScoringInputError",
    "TIE_TOLERANCE",
    "TOTALS_COLUMNS",
    "aggregate_answers",
    "assign_band",
    "competition_rank",
    "compute_index",
    "leave_one_field_out",
    "rank_robustness",
    "validate_assessments",
]
