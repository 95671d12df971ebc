"""Review of interference findings: scan from the database, evidence, decisions (issue 7).

The pure detectors live in ``app.interference``; this package loads their input frames
from the database (``frames.py``), runs them and keeps the findings (``services.run_scan``:
one ``Finding`` per fingerprint and campaign, so a re-scan keeps earlier findings and their
decisions; each run is an ``InterferenceScan`` row holding the unit risk table), and records
the secretariat's decisions (``services.decide`` / ``services.revert``):

========= ============================================== ======================
action    effect                                          finding state
========= ============================================== ======================
dismiss   none (the pattern has an honest explanation)    dismissed
exclude   ``Response.excluded`` for the finding's          excluded
          responses of its own campaign and unit
void      ``Unit.survey_voided`` + ``void_reason``         voided
revert    (admin) recompute: a response stays excluded     open
          while another standing exclude covers it, a
          unit stays voided while another void stands
========= ============================================== ======================

Every decision is a ``Decision`` row (who, when, why) and an audit entry ``finding.<action>``.
The index computation leaves excluded responses out and gives a voided unit no survey
points. Unit risk (shown on the findings list) is ``1 − Π_r (1 − w_r · s_r)`` over the rules'
highest scores; weights and levels are in ``app.interference.config``.

Web: ``/interference/campaigns/<id>`` (list, filters, unit risk; admin "scan now"),
``…/findings/<id>`` (explanation, SVG timeline, responses, similarity, decision history;
decide / revert for admins). CLI: ``interference scan`` / ``interference decide``. Job:
``interference-scan`` hourly, skipping campaigns without new responses.
"""
