"""Checks that span a scheme file and its questionnaire files, then the final assembly.

Links between groups and questionnaires, survey leaves that no question feeds, and the
resolution of group weights on each survey leaf all need every file of the directory.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .checker import Checker, at
from .model import SURVEY, Criterion, Questionnaire, Scheme
from .scheme_reader import SchemeDraft


def cross_check(draft: SchemeDraft, scheme_ck: Checker,
                readings: list[tuple[Checker, Questionnaire]],
                complete: bool = True) -> tuple[dict, dict]:
    """Check the links between the scheme and its questionnaires.

    ``complete`` is False when some questionnaire file could not be read at all; then the
    checks that would only echo that failure (missing questionnaire, unfed leaves) are
    skipped. Returns (questionnaires by code, resolved weights by leaf code).
    """
    questionnaires, first_file = {}, {}
    for ck, q in readings:
        if not q.code:
            continue
        if q.code in questionnaires:
            ck.add("code", f"duplicate questionnaire code '{q.code}' "
                           f"(already used in {first_file[q.code]})")
            continue
        questionnaires[q.code] = q
        first_file[q.code] = ck.file

    groups = {g.code: g for g in draft.groups}
    for g in draft.groups:
        if complete and g.questionnaire and g.questionnaire not in questionnaires:
            scheme_ck.add(at(draft.where.get(f"group:{g.code}", "groups"), "questionnaire"),
                          f"questionnaire '{g.questionnaire}' of group '{g.code}' does not exist")
    for ck, q in readings:
        group = groups.get(q.group)
        if group is not None and q.code and group.questionnaire != q.code:
            ck.add("group", f"group '{q.group}' uses questionnaire '{group.questionnaire}', "
                            f"not '{q.code}'")

    feeders = _feeders(draft, questionnaires)
    weights = {}
    for code, node in draft.nodes.items():
        if node is None or node[2] != SURVEY:
            continue
        fed_by = feeders.get(code, [])
        leaf_path = draft.where.get(f"leaf:{code}", "fields")
        if complete and not fed_by:
            scheme_ck.add(leaf_path, f"survey leaf '{code}' is not fed by any question")
        weights[code] = _resolve_weights(draft, scheme_ck if complete else None, code, fed_by)
    return questionnaires, weights


def _feeders(draft: SchemeDraft, questionnaires: dict) -> dict:
    """Leaf code -> codes of the groups (in scheme order) with a question on it."""
    by_group = {q.group: q for q in questionnaires.values()}
    feeders: dict[str, list[str]] = {}
    for g in draft.groups:
        q = by_group.get(g.code)
        if q is None or q.code != g.questionnaire:
            continue
        for item in q.items:
            if item.criterion and g.code not in feeders.setdefault(item.criterion, []):
                feeders[item.criterion].append(g.code)
    return feeders


def _resolve_weights(draft: SchemeDraft, ck: Optional[Checker], code: str,
                     fed_by: list) -> dict:
    """Explicit weights override the group's default weight, per feeding group.

    Problems go to ``ck``; None silences them (they would only echo an unreadable file).
    """
    leaf = _find_leaf(draft, code)
    explicit = leaf.weights if leaf is not None else {}
    wpath = draft.where.get(f"weights:{code}")
    for group in explicit:
        if ck is not None and group not in fed_by:
            ck.add(at(wpath or "fields", group),
                   f"weights name group '{group}', which has no question on '{code}'")
    defaults = {g.code: g.weight for g in draft.groups}
    resolved = {g: explicit.get(g, defaults[g]) for g in fed_by}
    if ck is not None and resolved and sum(resolved.values()) == 0:
        ck.add(wpath or draft.where.get(f"leaf:{code}", "fields"),
               f"all weights of survey leaf '{code}' are zero, so it can never score")
    return resolved


def _find_leaf(draft: SchemeDraft, code: str) -> Optional[Criterion]:
    for f in draft.fields:
        for c in f.criteria:
            for n in c.subcriteria or (c,):
                if n.code == code:
                    return n
    return None


def assemble(draft: SchemeDraft, questionnaires: dict, weights: dict,
             source_files: tuple, digest: str) -> Scheme:
    """The final frozen scheme, with resolved weights on its survey leaves."""
    def finish(node: Criterion) -> Criterion:
        if node.subcriteria:
            return replace(node, subcriteria=tuple(finish(s) for s in node.subcriteria))
        return replace(node, weights=dict(weights.get(node.code, {})))

    fields = tuple(replace(f, criteria=tuple(finish(c) for c in f.criteria))
                   for f in draft.fields)
    # Questionnaires follow the order of their groups, so exports are stable.
    ordered = {g.questionnaire: questionnaires[g.questionnaire] for g in draft.groups
               if g.questionnaire in questionnaires}
    ordered.update(questionnaires)
    return Scheme(code=draft.code, name=draft.name, version=draft.version, total=draft.total,
                  unit_kinds=draft.unit_kinds, bands=draft.bands, groups=draft.groups,
                  fields=fields, questionnaires=ordered, source_files=source_files,
                  digest=digest)
