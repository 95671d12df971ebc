"""A demo campaign so that every screen has something to show after `make run`."""
import random
from datetime import timedelta

from app.admin.services import add_unit, create_campaign
from app.auth.services import create_user
from app.core import clock
from app.extensions import db
from app.models import Group, Respondent, RespondentList, RespondentTarget, User

UNITS = [
    ("SO_NV", "Sở Nội vụ", "department"), ("SO_TP", "Sở Tư pháp", "department"),
    ("SO_TC", "Sở Tài chính", "department"), ("SO_KHDT", "Sở Kế hoạch và Đầu tư", "department"),
    ("SO_YT", "Sở Y tế", "department"), ("SO_GDDT", "Sở Giáo dục và Đào tạo", "department"),
    ("SO_TNMT", "Sở Tài nguyên và Môi trường", "department"), ("SO_XD", "Sở Xây dựng", "department"),
    ("H_TY", "UBND huyện Tiên Yên", "district"), ("H_DH", "UBND huyện Đầm Hà", "district"),
    ("TP_HL", "UBND thành phố Hạ Long", "district"), ("TX_QY", "UBND thị xã Quảng Yên", "district"),
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Kim", "Xuân", "Hồng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trang",
         "Tuấn", "Việt", "Yến", "Đạt"]
POSITIONS = {"HDND": "Đại biểu HĐND tỉnh", "LD_SO": "Phó Giám đốc", "LD_PHONG": "Trưởng phòng",
             "LD_HUYEN": "Phó Chủ tịch UBND", "NGUOI_DAN": "Người dân"}
ASCII = str.maketrans("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ",
                      "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd")

DEMO_PASSWORD = "demo-Chiso-2026"
ACCOUNTS = [("admin@demo.parsurvey.vn", "admin", ()), ("theodoi@demo.parsurvey.vn", "coordinator", ()),
            ("daumoi.sotp@demo.parsurvey.vn", "focal", ("SO_TP",)),
            ("daumoi.tienyen@demo.parsurvey.vn", "focal", ("H_TY",)),
            ("dieutravien@demo.parsurvey.vn", "enumerator", ("SO_NV", "H_DH"))]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def seed(scheme_code: str = "PAR_PROVINCE", seed_value: int = 2026) -> dict:
    """Create the demo campaign, its units, respondents and the demo accounts (caller commits)."""
    rng = random.Random(seed_value)
    today = clock.today()
    campaign = create_campaign(scheme_code, today.year, f"Chỉ số CCHC các sở, ngành, địa phương năm {today.year} (demo)",
                               today + timedelta(days=14), today + timedelta(days=45), today + timedelta(days=60))
    units = [add_unit(campaign, code, name, kind) for code, name, kind in UNITS]
    for email, role, codes in ACCOUNTS:
        if not db.session.scalar(db.select(User.id).where(User.email == email)):
            create_user(email, role, DEMO_PASSWORD, codes, name=email.split("@")[0])
    groups = db.session.scalars(db.select(Group).where(Group.campaign_id == campaign.id)).all()
    used_emails: set[str] = set()
    count = 0
    for unit in units:
        for group in groups:
            lo, hi = group.quota_for(unit.kind)
            n = min(hi or lo or 3, 12) if group.requires_email else 8
            for i in range(n):
                full_name = _name(rng)
                email = None
                if group.requires_email:
                    local = ".".join(full_name.lower().translate(ASCII).split()[::-1][:2]) + f".{rng.randrange(100, 999)}"
                    while local in used_emails:
                        local += str(rng.randrange(10))
                    used_emails.add(local)
                    email = f"{local}@{unit.code.lower().replace('_', '')}.demo.gov.vn"
                phone = f"09{rng.randrange(10_000_000, 99_999_999)}"
                r = Respondent(campaign_id=campaign.id, unit_id=unit.id, group_id=group.id, full_name=full_name,
                               position=POSITIONS.get(group.code, ""), organisation=unit.name, email=email, phone=phone,
                               address="" if group.requires_email else f"Tổ {rng.randrange(1, 20)}, {unit.name}")
                r.targets = [RespondentTarget(unit_id=unit.id)]
                db.session.add(r)
                count += 1
        state = "approved" if unit.code not in ("SO_TP", "H_TY") else "draft"
        db.session.add(RespondentList(campaign_id=campaign.id, unit_id=unit.id, state=state))
    db.session.flush()
    invited, answered = _invite_and_answer(campaign, rng)
    assessed = _self_assessments(campaign, units, rng)
    return {"campaign_id": campaign.id, "units": len(units), "respondents": count, "invitations": invited,
            "responses": answered, "assessment_rows": assessed,
            "logins": [f"{e} / {DEMO_PASSWORD} ({r})" for e, r, _ in ACCOUNTS]}


def _invite_and_answer(campaign, rng: random.Random) -> tuple[int, int]:
    """Queue the invitations of the approved lists (they land in the test mailbox once the job
    runner drains the outbox) and answer about 40 % of them, so the dashboard and the index
    have something to show. Answers go through the same service as the web form."""
    from app.core.schemes import questionnaire
    from app.mailing.services import queue_invitations
    from app.models import Invitation
    from app.survey.services import Paradata, submit_response

    queue_invitations(campaign)
    invitations = db.session.scalars(db.select(Invitation).where(Invitation.campaign_id == campaign.id)
                                     .order_by(Invitation.id)).all()
    today = clock.today()
    answered = 0
    for inv in invitations:
        if rng.random() > 0.4:
            continue
        q = questionnaire(campaign.scheme_code, inv.questionnaire_code)
        bias = rng.random()  # units differ: some officials are more satisfied than others
        answers = {}
        for item in q.items:
            if item.type != "choice":
                continue
            scored = [o for o in item.options if o.credit is not None]
            weights = [(o.credit ** 2) * (0.5 + 2 * bias) + 0.15 for o in scored]
            answers[item.code] = rng.choices(scored, weights)[0].code
        device = f"demo-{inv.id}-{rng.random()}"
        if submit_response(inv, q, answers, today, Paradata(device_hash=device, ua_hash=device[:12])):
            answered += 1
    return len(invitations), answered


def _self_assessments(campaign, units, rng: random.Random) -> int:
    """Self scores (and an appraisal for most) for every assessed sub-criterion."""
    from app.core.schemes import get_scheme
    from app.models import SelfAssessment

    leaves = [leaf for leaf in get_scheme(campaign.scheme_code).leaves() if leaf.source == "assessed"]
    rows = 0
    for unit in units:
        for leaf in leaves:
            self_score = round(leaf.max * rng.uniform(0.75, 1.0) * 4) / 4
            appraised = None if rng.random() < 0.15 else round(min(self_score, leaf.max * rng.uniform(0.7, 1.0)) * 4) / 4
            db.session.add(SelfAssessment(campaign_id=campaign.id, unit_id=unit.id, criterion_code=leaf.code,
                                          self_score=self_score, appraised_score=appraised, appraiser="Sở Nội vụ",
                                          note=""))
            rows += 1
    db.session.flush()
    return rows
