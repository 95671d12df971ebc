"""Drill-down of one unit: "not answered" filter, search by name, paging, the time of the figures
(issue 14 point 6)."""
from app.extensions import db
from app.models import Invitation, Respondent
from tests.conftest import login


def _names(html: str) -> list[str]:
    table = html.split('id="respondents"')[1].split("</table>")[0]
    return [cell.split("</td>")[0] for cell in table.split("<tr>\n        <td>")[1:]]


def test_not_answered_filter_and_search(known, client, make_user):
    login(client, make_user("coordinator"))
    url = f"/progress/campaigns/{known.campaign.id}/units/{known.units['SO_TP'].code}"
    waiting = client.get(url, query_string={"state": "unanswered"}).get_data(as_text=True)
    names = _names(waiting)
    assert "Người p5" not in names and "Người p6" not in names and "Người c1" not in names  # answered
    assert "Người p9" not in names  # revoked link
    assert {"Người p1", "Người p3", "Người p10", "Người c2"} <= set(names)
    found = client.get(url, query_string={"q": "  NGƯỜI P1 "}).get_data(as_text=True)
    assert set(_names(found)) == {"Người p1", "Người p10"}
    none = client.get(url, query_string={"q": "Trần"}).get_data(as_text=True)
    assert "Không có ai khớp bộ lọc." in none
    # A forged state is ignored (all rows), never an error page.
    assert client.get(url, query_string={"state": "<x>"}).status_code == 200
    assert "Số liệu lúc" in waiting and '<span id="outbox-at"></span>' not in waiting


def test_paging_beyond_fifty_people(known, client, make_user):
    unit, group = known.units["SO_NV"], known.groups["LD_SO"]
    for n in range(60):
        r = Respondent(campaign_id=known.campaign.id, unit_id=unit.id, group_id=group.id,
                       full_name=f"Phạm Văn {n:03d}", email=f"pv{n}@sonv.gov.vn")
        db.session.add(r)
        db.session.flush()
        db.session.add(Invitation(campaign_id=known.campaign.id, respondent_id=r.id, unit_id=unit.id,
                                  group_id=group.id, questionnaire_code=group.questionnaire_code, nonce=f"n{n}",
                                  status="sent"))
    db.session.commit()
    login(client, make_user("coordinator"))
    url = f"/progress/campaigns/{known.campaign.id}/units/{unit.code}"
    first = client.get(url, query_string={"q": "phạm"}).get_data(as_text=True)
    assert len(_names(first)) == 50 and "Trang 1/2" in first and "state=" not in first.split('rel="next"')[0][-300:]
    second = client.get(url, query_string={"q": "phạm", "page": "2"}).get_data(as_text=True)
    assert len(_names(second)) == 10 and "Trang 2/2" in second
    assert set(_names(first)).isdisjoint(_names(second))
    assert client.get(url, query_string={"page": "abc"}).status_code == 200  # a bad page number is page 1
