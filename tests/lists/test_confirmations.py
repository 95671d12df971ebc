"""Nothing irreversible on a list without a confirmation that says what will change (issue 14 point 9)."""
import io

from app.extensions import db
from app.models import Respondent
from tests.conftest import csrf_token, login
from tests.lists.conftest import person, xlsx


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(Respondent.id)))


def _filled(client, campaign, n=6):
    url = f"/lists/campaigns/{campaign.id}/units/SO_TP"
    token = csrf_token(client, url)
    client.post(f"{url}/upload", data={"u-csrf_token": token, "u-mode": "replace",
                                       "u-file": (io.BytesIO(xlsx([person(i) for i in range(1, n + 1)])), "ds.xlsx")},
                content_type="multipart/form-data")
    assert _count() == n
    return url, token


def test_replacing_a_list_needs_the_box_that_says_how_many_people_go(client, campaign, make_user):
    login(client, make_user("focal", units=["SO_TP"]))
    url, token = _filled(client, campaign)
    assert "sẽ xoá 6 người đang có trong danh sách" in client.get(url).get_data(as_text=True)
    refused = client.post(f"{url}/upload", data={"u-csrf_token": token, "u-mode": "replace",
                                                 "u-file": (io.BytesIO(xlsx([person(9)])), "ds.xlsx")},
                          content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "sẽ xoá 6 người" in refused and "hãy đánh dấu ô xác nhận" in refused and _count() == 6
    stale = client.post(f"{url}/upload", data={"u-csrf_token": token, "u-mode": "replace", "u-replace_ok": "3",
                                               "u-file": (io.BytesIO(xlsx([person(9)])), "ds.xlsx")},
                        content_type="multipart/form-data")
    assert stale.status_code == 302 and _count() == 6  # ticked for another count: still refused
    client.post(f"{url}/upload", data={"u-csrf_token": token, "u-mode": "replace", "u-replace_ok": "6",
                                       "u-file": (io.BytesIO(xlsx([person(9)])), "ds.xlsx")},
                content_type="multipart/form-data")
    assert _count() == 1


def test_sampling_and_deleting_show_what_goes_then_act_only_when_confirmed(client, campaign, make_user):
    login(client, make_user("focal", units=["SO_TP"]))
    url, token = _filled(client, campaign)
    ask = client.post(f"{url}/sample", data={"s-csrf_token": token, "s-group": "LD_SO", "s-size": "4", "s-seed": "7"})
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Giữ 4 trong 6 người của nhóm LD_SO." in html
    assert "2 người không được chọn sẽ bị xoá" in html and 'name="confirmed" value="1"' in html and _count() == 6
    client.post(f"{url}/sample", data={"s-csrf_token": token, "s-group": "LD_SO", "s-size": "4", "s-seed": "7",
                                       "confirmed": "1"})
    assert _count() == 4
    ask = client.post(f"{url}/clear", data={"x-csrf_token": token}).get_data(as_text=True)
    assert "4 người sẽ bị xoá khỏi danh sách của đơn vị." in ask and "Huỷ, quay lại" in ask and _count() == 4
    client.post(f"{url}/clear", data={"x-csrf_token": token, "confirmed": "1"})
    assert _count() == 0
