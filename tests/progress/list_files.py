"""Respondent lists as CSV for the counter tests: officials with e-mail (every third row) and
citizens with a phone only (they count as invited once they have an invitation)."""

HEADER = "STT,Họ và tên,Chức vụ,Đơn vị công tác,Nhóm đối tượng,Email,Số điện thoại,Địa chỉ,Đơn vị được đánh giá\n"


def list_csv(unit: str, start: int, n: int, targets: str = "") -> bytes:
    lines = [HEADER]
    for i in range(start, start + n):
        if i % 3 == 0:
            lines.append(f"{i},NGUYỄN VĂN {i},Trưởng phòng,Sở,LD_SO,cb{i}.{unit.lower()}@example.gov.vn,,,{targets}\n")
        else:
            lines.append(f"{i},trần thị {i},,,NGUOI_DAN,,09{i:08d},Tổ {i % 9},{targets}\n")
    return "".join(lines).encode("utf-8")
