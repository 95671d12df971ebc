"""The assessed unit must not learn whether one of the few people of a small group has answered.

In `known`, SO_TP's citizens group has two invited people (c1 answered, c2 not) and SO_NV has
two invited people in all (q1 answered). Their focal units try every output and every filter to
read those counts alone; the secretariat still sees every cell."""
import csv
import io
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.progress.folding import GroupSet, fold_groups
from app.progress.services import Counts
from tests.conftest import login


def _outputs(client, c, unit, group_ids):
    """Every progress output the focal unit can ask for, with every group filter."""
    for group in [None, *group_ids, 0]:
        q = "" if group is None else f"?group={group}"
        yield f"/progress/campaigns/{c}/api{q}", client.get(f"/progress/campaigns/{c}/api{q}")
        yield f"/progress/campaigns/{c}/export.csv{q}", client.get(f"/progress/campaigns/{c}/export.csv{q}")
        yield f"/progress/campaigns/{c}/units/{unit}{q}", client.get(f"/progress/campaigns/{c}/units/{unit}{q}")
        yield f"/progress/campaigns/{c}{q}", client.get(f"/progress/campaigns/{c}{q}")


def _answered_rows(payload):
    """(label, invited, answered) of every unit, group and total row of the JSON endpoint."""
    rows = [("totals", payload["totals"]["invited"], payload["totals"]["answered"])]
    for unit in payload["units"]:
        rows.append((unit["code"], unit["invited"], unit["answered"]))
        rows += [(f'{unit["code"]}/{g["code"]}', g["invited"], g["answered"]) for g in unit["groups"]]
    rows += [(f'all/{g["code"]}', g["invited"], g["answered"]) for g in payload["groups"]]
    return rows


@pytest.mark.parametrize("unit", ["SO_TP", "SO_NV"])
def test_focal_never_reads_an_answered_count_of_fewer_than_k_people(known, make_user, client, unit):
    login(client, make_user("focal", units=[unit]))
    c, k = known.campaign.id, known.campaign.min_cell_sheets
    group_ids = [g.id for g in known.groups.values()]
    seen = 0
    for url, response in _outputs(client, c, unit, group_ids):
        assert response.status_code in (200, 400), url
        if "/api" in url:
            for label, invited, answered in _answered_rows(response.get_json()):
                assert answered is None or invited == 0 or invited >= k, (url, label, invited, answered)
                seen += answered is not None
        if "export.csv" in url:
            table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
            head = table[0]
            for row in table[1:]:
                if len(row) != len(head) or not row[0]:
                    continue
                figures = dict(zip(head, row))
                invited, answered = figures.get("Đã mời", ""), figures.get("Đã trả lời", "")
                if invited.isdigit() and 0 < int(invited) < k:
                    assert answered == "ẩn", (url, row)
    if unit == "SO_TP":
        assert seen, "SO_TP’s merged row must still show its count (9 invited)"


def test_a_small_group_is_shown_merged_and_its_filter_shows_the_merged_row(known, make_user, client):
    login(client, make_user("focal", units=["SO_TP"]))
    c, citizens = known.campaign.id, known.groups["NGUOI_DAN"]
    payload = client.get(f"/progress/campaigns/{c}/api").get_json()
    (unit,) = payload["units"]
    assert [g["code"] for g in unit["groups"]] == ["LD_SO+NGUOI_DAN"]
    merged = unit["groups"][0]
    assert (merged["listed"], merged["invited"], merged["answered"]) == (12, 9, 3)
    assert payload["groups"] == []  # per group across units: would isolate a small cell by difference
    filtered = client.get(f"/progress/campaigns/{c}/api?group={citizens.id}").get_json()
    assert [g["answered"] for g in filtered["units"][0]["groups"]] == [3]  # not c1 alone (1)
    html = client.get(f"/progress/campaigns/{c}/units/SO_TP").get_data(as_text=True)
    assert f"{known.groups['LD_SO'].name} + {citizens.name}" in html
    assert "Đôn đốc nhóm này" not in html  # no per-group action on a merged row
    assert "Theo nhóm đối tượng" not in client.get(f"/progress/campaigns/{c}").get_data(as_text=True)


def test_a_unit_with_fewer_than_k_invited_shows_no_answered_count(known, make_user, client):
    login(client, make_user("focal", units=["SO_NV"]))
    c = known.campaign.id
    payload = client.get(f"/progress/campaigns/{c}/api").get_json()
    assert payload["units"][0]["answered"] is None and payload["totals"]["answered"] is None
    assert payload["units"][0]["invited"] == 2  # the other counts stay: they say nothing about answers
    html = client.get(f"/progress/campaigns/{c}/units/SO_NV").get_data(as_text=True)
    assert "ẩn" in html and "quá ít người được mời" in html


def test_the_secretariat_still_sees_every_cell(known, make_user, client):
    login(client, make_user("coordinator"))
    payload = client.get(f"/progress/campaigns/{known.campaign.id}/api").get_json()
    cells = {(u["code"], g["code"]): g["answered"] for u in payload["units"] for g in u["groups"]}
    assert cells[("SO_TP", "NGUOI_DAN")] == 1 and cells[("SO_NV", "LD_SO")] == 1


# ------------------------------------------------------------------- the rule itself
def _group(i):
    return SimpleNamespace(id=i, code=f"G{i}", name=f"Nhóm {i}", priority=i)


cells_strategy = st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(cells=cells_strategy, k=st.integers(1, 5), order=st.randoms(use_true_random=False))
def test_fold_leaves_no_small_row_keeps_the_sums_and_ignores_input_order(cells, k, order):
    groups = [(_group(i), Counts(invited=inv, invitations=inv, answered=min(ans, inv)))
              for i, (inv, ans) in enumerate(cells)]
    shuffled = groups[:]
    order.shuffle(shuffled)
    out = fold_groups(groups, k, Counts)
    again = fold_groups(shuffled, k, Counts)
    assert [(g.code, c) for g, c in out] == [(g.code, c) for g, c in again]
    members = [m.id for g, _ in out for m in (g.groups if isinstance(g, GroupSet) else (g,))]
    assert sorted(members) == list(range(len(cells)))  # every group exactly once
    assert sum(c.invited for _, c in out) == sum(inv for inv, _ in cells)
    assert sum(c.answered for _, c in out) == sum(min(a, i) for i, a in cells)
    if len(out) > 1:
        assert all(c.invited == 0 or c.invited >= k for _, c in out)


def test_no_side_channel_counts_the_small_unit_s_answers(known, make_user, client):
    """Answers per day, the reply to its own "remind" and the mail queue before and after it would each
    tell SO_NV's focal unit whether its two evaluators have answered."""
    from tests.conftest import csrf_token

    login(client, make_user("focal", units=["SO_NV"]))
    c = known.campaign.id
    payload = client.get(f"/progress/campaigns/{c}/api").get_json()
    assert payload["answers_per_day"] == [] and "outbox" not in payload
    assert client.get(f"/progress/campaigns/{c}/api/outbox").status_code == 403
    page = client.get(f"/progress/campaigns/{c}/units/SO_NV").get_data(as_text=True)
    assert "Đang chờ gửi" not in page and "Đang chờ gửi" not in client.get(f"/progress/campaigns/{c}").get_data(as_text=True)
    token = csrf_token(client, f"/progress/campaigns/{c}/units/SO_NV")
    html = client.post(f"/progress/campaigns/{c}/units/SO_NV/remind", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "Đã gửi yêu cầu đôn đốc" in html and "thư đôn đốc cho" not in html
    login(client, make_user("coordinator"))
    staff = client.get(f"/progress/campaigns/{c}/api").get_json()
    assert sum(d["answered"] for d in staff["answers_per_day"]) == 4 and "outbox" in staff
