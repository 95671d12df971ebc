"""Thresholds and weights of the interference scan, as data.

Every default is chosen so that an honest campaign (shared office networks, meetings where
people answer together, reminder bursts, enthusiastic respondents) raises no finding of
medium severity or above, while the planted patterns of ``simulate.py`` are all found. The
issue-13 defaults (share tails against alpha / units, small-unit notes, private-window chains,
informative share, best-option cap) were tuned on ``scenarios.py`` seeds 1000–1139 only; the
quality bench reports on held-out seeds 0–279.
The "why" of each default is in the field comments; the package docstring has the table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

RULES = (
    "same_device",
    "burst",
    "near_duplicate",
    "speeder",
    "straight_line",
    "forwarded",
    "unit_anomaly",
)

LEVELS = ("none", "watch", "review", "void_candidate")

_DEFAULT_WEIGHTS = MappingProxyType({
    # Weights stay below the void threshold on purpose: no single rule can make a unit a
    # void candidate; voiding needs two independent kinds of evidence (and a person).
    "same_device": 0.85,
    "near_duplicate": 0.85,
    "burst": 0.75,
    "forwarded": 0.7,
    "straight_line": 0.7,
    "speeder": 0.65,
    "unit_anomaly": 0.6,
})


@dataclass(frozen=True)
class Config:
    """Every threshold of the scan. Frozen: a scan is reproducible from its config."""

    # -- same_device ---------------------------------------------------------------------
    #: responses of one unit from one device cookie before it is a finding (2 = a shared PC).
    same_device_min: int = 3
    #: without a device cookie, one NAT address + one browser build is common in an office,
    #: so the fallback needs more sheets, each following the previous one closely.
    same_device_netua_min: int = 5
    #: fallback chain: consecutive submissions closer than this × the median answering time.
    same_device_netua_gap_factor: float = 1.0
    #: severity high when most gaps are shorter than this × the median answering time
    #: (one person cannot answer honestly faster than respondents usually do).
    same_device_close_factor: float = 1.0
    #: severity low when the median gap exceeds this many hours (a desk PC shared over days).
    same_device_far_hours: float = 8.0
    #: a private window per sheet gives each its own cookie: this many sheets on one address
    #: and browser build, each opened right after the previous one was submitted …
    same_device_seq_min: int = 4
    #: … within this many seconds (colleagues behind one NAT do not take turns like that).
    same_device_seq_gap_s: float = 120.0

    # -- burst ---------------------------------------------------------------------------
    #: sliding window in minutes.
    burst_window_min: float = 10.0
    #: submissions from one network prefix within the window before a burst is considered.
    burst_min: int = 6
    #: Poisson tail probability against the unit's own rate below which a window is unusual.
    burst_p: float = 1e-6
    #: answering happens in office hours: a unit's rate is spread over this many hours/day.
    burst_workday_hours: float = 8.0
    #: hours after a reminder in which bursts are expected.
    reminder_window_h: float = 3.0
    #: factor applied to a burst's score when it falls in a reminder window.
    reminder_discount: float = 0.5
    #: a burst whose sessions run in parallel (a meeting) keeps only this part of its score;
    #: sessions that follow each other (one person, sheet after sheet) keep all of it.
    burst_parallel_weight: float = 0.25
    #: a session "follows" the previous one if opened after it was submitted, minus this.
    burst_sequential_tolerance_s: float = 30.0
    #: findings below this score are not reported (a meeting burst stays silent).
    burst_min_score: float = 0.3

    # -- near_duplicate --------------------------------------------------------------------
    #: Kuriakose & Robbins (2016) threshold; the permutation null can only raise it.
    near_dup_floor: float = 0.85
    #: quantile of the permutation null of the max percent match used as threshold.
    near_dup_null_quantile: float = 0.999
    #: at least this many null values (permutations are repeated for small questionnaires).
    near_dup_null_samples: int = 20000
    #: the null shuffles within item among respondents of similar overall level (this many
    #: quantile strata of the best-option share), keeping honest "general satisfaction".
    near_dup_null_strata: int = 5
    #: smallest cluster of near-duplicate sheets reported.
    near_dup_min_cluster: int = 3
    #: questionnaires with fewer scored items are skipped: identical honest answers on a
    #: 3-question form carry no information.
    near_dup_min_items: int = 8
    #: a pair must also agree on at least this share of items on a non-top option; two
    #: enthusiastic respondents ticking the best option everywhere are not copies.
    near_dup_min_informative: float = 0.3
    #: pairs must have answered at least this share of items in common.
    near_dup_min_common: float = 0.5

    # -- speeder -------------------------------------------------------------------------
    #: a response is a speeder under this fraction of the questionnaire's median duration.
    speeder_fraction: float = 1 / 3
    #: a unit is reported when at least this share of its timed responses are speeders …
    speeder_unit_share: float = 0.25
    #: … and at least this many.
    speeder_min: int = 3

    # -- straight_line ---------------------------------------------------------------------
    #: a block counts when it has at least this many items.
    straight_min_block_items: int = 4
    #: unit reported when this share of its responses straight-line every counted block …
    straight_unit_share: float = 0.3
    #: … and at least this many.
    straight_min: int = 3

    # -- forwarded -------------------------------------------------------------------------
    #: unit reported when its moved share exceeds the campaign's by this much …
    forwarded_excess: float = 0.25
    #: … and at least this many moved responses.
    forwarded_min: int = 3

    # -- shared by the unit-share rules (speeder, straight_line, forwarded) ------------------
    #: binomial tail vs the campaign's share, compared with tail_alpha / units tested
    #: (Bonferroni): about one honest unit in 100 campaigns per rule, whatever the size.
    tail_alpha: float = 0.01
    #: … and never looser than this (tiny campaigns).
    tail_p_max: float = 1e-3
    #: a unit with at least this share flagged but too few sheets for the tail to be
    #: conclusive gets a low-severity note saying so (never an accusation) …
    small_unit_share: float = 0.6
    #: … whose score keeps the unit below 'review' (weight × score < level_review).
    small_unit_score: float = 0.45
    #: campaign base rates are floored so that a clean campaign does not make one case huge.
    base_rate_floor: float = 0.02

    # -- unit_anomaly ----------------------------------------------------------------------
    #: units of one kind needed before comparing them (a median of 3 is not a norm).
    anomaly_min_units: int = 5
    #: robust z-score (median / 1.4826·MAD) above which a unit stands out.
    anomaly_z: float = 3.2
    #: MAD floor for shares, so that 0-MAD kinds do not turn a small difference into a huge z.
    anomaly_mad_floor: float = 0.03
    #: the share must also exceed the kind's median by this much (absolute).
    anomaly_min_excess: float = 0.15
    #: general satisfaction is normal in a unit rating itself (homogeneous honest units):
    #: a high best-option share alone stays below 'review' (0.6 × 0.75 = 0.45).
    anomaly_top_share_max_score: float = 0.75

    # -- risk ------------------------------------------------------------------------------
    #: rule weights in risk = 1 − Π(1 − w_r · max score_r).
    weights: Mapping[str, float] = field(default_factory=lambda: _DEFAULT_WEIGHTS)
    #: risk thresholds of the levels watch / review / void_candidate.
    level_watch: float = 0.2
    level_review: float = 0.5
    level_void: float = 0.9
    #: only findings of at least this severity count towards flagged_share.
    flagged_min_severity: str = "medium"

    #: seed of the permutation null: the same data always gives the same findings.
    seed: int = 20240101


DEFAULT_CONFIG = Config()
