"""Interference detection for the sociological survey (pure: DataFrames in, findings out).

The regulation lets the secretariat void a unit's survey result when respondents were
interfered with. This package only *proposes*: every finding carries the numbers behind it
(``explain()`` renders them in Vietnamese or English) and a person decides. It never imports
Flask or the rest of ``app``.

Input frames
------------
``responses`` — one row per submitted response:

============== ============================== ===============================================
column          type                           meaning
============== ============================== ===============================================
response_id     int                            unique id (no respondent identity)
unit            str                            assessed unit code
unit_kind       str                            ministry / province / department … (peers)
group           str                            respondent group
questionnaire   str                            questionnaire code (key of ``questionnaires``)
mode            'web' | 'paper' | 'phone'      only web rows are seen by paradata rules
submitted_at    datetime64 (UTC, naive or tz)  exact submission time
duration_s      float, NaN if unknown          first open → submit
net_hash        str | None                     keyed hash of the client IP
net_prefix_hash str | None                     keyed hash of its /24 (IPv4) or /48 (IPv6)
ua_hash         str | None                     keyed hash of the user agent
device_hash     str | None                     device cookie set on first open
moved           bool | None                    submitted from another network/device than
                                               the link was first opened from
============== ============================== ===============================================

Paper/phone entries and old imports carry no paradata (None/NaN): they are never flagged by
``same_device``, ``burst``, ``forwarded`` or ``speeder``, and never crash a rule.

``answers`` — response_id, item, option (option code; NaN/None = skipped or free text),
scored choice items only; item and option may be str/object or categorical (the database
loader's, so that 50 million answers are codes, not 100 million strings), with the same
findings either way. ``questionnaires`` — dict code → ``QuestionnaireShape(code,
items=(ItemShape(code, block, options, top_option), …))``. ``reminders`` — datetimes (UTC)
when reminders were sent.

Output
------
``scan(...) -> ScanResult(findings, unit_risk)``; ``Detection(rule, unit, group, response_ids,
severity, score, evidence)`` with a stable ``fingerprint``; ``unit_risk`` columns: unit,
unit_kind, risk, level ('none'|'watch'|'review'|'void_candidate'), flagged_share, rules.

Rules
-----
same_device     one device cookie ≥ 3 sheets of a unit (fallback net+ua: ≥ 5 in a tight chain;
                a private window per sheet: ≥ 4 on one net+ua, each opened right after the last)
burst           many sheets from one network prefix in 10 min, far above the unit's own rate;
                weighed down after reminders and when sessions ran in parallel (a meeting)
near_duplicate  clusters of ≥ 3 sheets above max(85 %, 99.9th pct of a permutation null)
speeder         a high share of sheets under 1/3 of the questionnaire's median duration
straight_line   a high share of sheets with one option on every block of ≥ 4 items
forwarded       moved sheets concentrated in a unit (binomial tail vs the campaign share)
unit_anomaly    flagged share or best-option share far above peers of the same kind (MAD z);
                the best-option share alone stays below 'review' (satisfaction is normal)

The share rules (speeder, straight_line, forwarded) compare a binomial tail with
tail_alpha / units tested; a unit with a high share but too few sheets for the tail to be
conclusive gets a low-severity note (evidence ``small_unit``) that says so, not an
accusation. Every rule groups rows with ``groups.group_rows``: labels come from the rows.

Risk
----
risk = 1 − Π_r (1 − w_r · s_r), s_r the highest score of rule r in the unit. Levels: watch
≥ 0.2, review ≥ 0.5, void_candidate ≥ 0.9. Every weight is < 0.9, so no single rule can make
a void candidate: that needs two independent kinds of evidence.

Config defaults (``Config``; see ``config.py`` for each reason)
----------------------------------------------------------------
=============================== ========= ==================================================
field                           default   why
=============================== ========= ==================================================
same_device_min                 3         2 = an honest shared desk PC
same_device_netua_min           5         one NAT + one browser build is normal in an office
same_device_netua_gap_factor    1.0       fallback chain: gaps < median answering time
same_device_close_factor        1.0       high when gaps < median answering time
same_device_far_hours           8         a PC shared over days is low severity
same_device_seq_min / _gap_s    4 / 120   private windows: sessions that take turns
burst_window_min                10        a sitting; a person fills ~5–10 sheets in it
burst_min                       6         fewer is not a pile
burst_p                         1e-6      Poisson tail vs the unit's rate (many windows)
burst_workday_hours             8         answering happens in office hours
reminder_window_h               3         honest replies to a reminder come within hours
reminder_discount               0.5       halves the score inside that window
burst_parallel_weight           0.25      a meeting (parallel sessions) keeps 1/4 of the score
burst_sequential_tolerance_s    30        clock slack between two sessions
burst_min_score                 0.3       a meeting burst stays silent
near_dup_floor                  0.85      Kuriakose & Robbins (2016)
near_dup_null_quantile          0.999     long/skewed forms raise the threshold by the null
near_dup_null_samples           20000     permutations repeated for small questionnaires
near_dup_null_strata            5         shuffle among respondents of similar level
near_dup_min_cluster            3         a pair can be coincidence or a couple
near_dup_min_items              8         identical answers on short forms are normal
near_dup_min_informative        0.3       share of items agreeing on a non-best option
near_dup_min_common             0.5       share of items both answered
speeder_fraction                1/3       usual cut in the survey-quality literature
speeder_unit_share / _min       0.25 / 3  one fast respondent is not evidence
straight_min_block_items        4         shorter blocks are honestly uniform
straight_unit_share / _min      0.3 / 3   enthusiastic respondents exist in every unit
forwarded_excess / _min         0.25 / 3  people do switch from phone to PC
tail_alpha / tail_p_max         0.01/1e-3 binomial tail < alpha / units tested (Bonferroni)
small_unit_share / _score       0.6/0.45  high share, too few sheets: a note below review
base_rate_floor                 0.02      a clean campaign must not make one case huge
anomaly_min_units               5         a median of fewer peers is no norm
anomaly_z                       3.2       robust z (median, 1.4826·MAD)
anomaly_mad_floor               0.03      0-MAD kinds would turn noise into huge z
anomaly_min_excess              0.15      and an absolute excess over the kind's median
anomaly_top_share_max_score     0.75      best-option share alone: watch, not review
weights                         0.6–0.85  same_device, near_duplicate 0.85; burst 0.75;
                                          forwarded, straight_line 0.7; speeder 0.65;
                                          unit_anomaly 0.6 (it repeats other evidence)
level_watch / review / void     0.2/0.5/0.9
flagged_min_severity            medium    low findings are notes, not flags
seed                            20240101  same data → same null → same findings
=============================== ========= ==================================================
"""
from .answers import near_duplicate, null_threshold, straight_line
from .config import DEFAULT_CONFIG, LEVELS, RULES, Config
from .explain import TEMPLATES_EN, TEMPLATES_VI, explain
from .model import Detection, ItemShape, QuestionnaireShape, ScanResult
from .paradata import burst, forwarded, same_device
from .risk import level_of, scan, unit_risk
from .units import speeder, unit_anomaly

__all__ = [
    "Config", "DEFAULT_CONFIG", "Detection", "ItemShape", "LEVELS", "QuestionnaireShape",
    "RULES", "ScanResult", "TEMPLATES_EN", "TEMPLATES_VI", "burst", "explain", "forwarded",
    "level_of", "near_duplicate", "null_threshold", "same_device", "scan", "speeder",
    "straight_line", "unit_anomaly", "unit_risk",
]
