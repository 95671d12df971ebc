"""Helpers for the questionnaires tests: a tiny valid scheme directory to break on purpose."""
import copy

import yaml

from questionnaires import load_directory

SCALE = [
    {"code": "a", "label": "Rất tốt", "credit": 1.0},
    {"code": "b", "label": "Tốt", "credit": 0.75},
    {"code": "c", "label": "Kém", "credit": 0},
    {"code": "x", "label": "Không biết / không trả lời", "credit": None},
]


def minimal():
    """A tiny valid scheme directory as plain data: file name -> YAML content."""
    scheme = {
        "code": "T", "name": "Thử nghiệm", "version": "1", "total": 10,
        "unit_kinds": ["department", "district"],
        "bands": [{"code": "A", "name": "Tốt", "min": 50}, {"code": "B", "name": "Khá", "min": 0}],
        "groups": [
            {"code": "G1", "name": "Nhóm 1", "priority": 1, "questionnaire": "Q_G1",
             "quota": {"min": 1, "max": 3}, "quota_by_kind": {"district": {"min": 5, "max": 5}}},
            {"code": "G2", "name": "Nhóm 2", "priority": 2, "questionnaire": "Q_G2",
             "weight": 0.5, "requires_email": False},
        ],
        "fields": [
            {"code": "1", "name": "Lĩnh vực 1", "max": 6, "criteria": [
                {"code": "1.1", "name": "Tiêu chí 1.1", "max": 2, "source": "assessed"},
                {"code": "1.2", "name": "Tiêu chí 1.2", "max": 4, "subcriteria": [
                    {"code": "1.2.1", "name": "TP 1.2.1", "max": 2, "source": "survey",
                     "weights": {"G1": 2}},
                    {"code": "1.2.2", "name": "TP 1.2.2", "max": 2, "source": "assessed"},
                ]},
            ]},
            {"code": "2", "name": "Lĩnh vực 2", "max": 4, "criteria": [
                {"code": "2.1", "name": "Tiêu chí 2.1", "max": 4, "source": "survey"},
            ]},
        ],
    }
    q1 = {"code": "Q_G1", "scheme": "T", "group": "G1", "kind": "full", "version": "1",
          "title": "Phiếu 1", "items": [
              {"code": "Q1", "criterion": "1.2.1", "text": "Câu 1?", "required": True,
               "options": copy.deepcopy(SCALE)},
              {"code": "Q2", "criterion": "2.1", "text": "Câu 2?", "options": copy.deepcopy(SCALE)},
              {"code": "C1", "type": "text", "text": "Ý kiến khác", "required": False,
               "max_length": 500},
          ]}
    q2 = {"code": "Q_G2", "scheme": "T", "group": "G2", "kind": "topical", "field": "2",
          "version": "1", "title": "Phiếu 2", "items": [
              {"code": "Q1", "criterion": "2.1", "text": "Câu 1?", "options": copy.deepcopy(SCALE)},
          ]}
    return {"scheme.yaml": scheme, "q_g1.yaml": q1, "q_g2.yaml": q2}


def write(tmp_path, files, name="t"):
    """Write a scheme directory; values may be data (dumped as YAML) or raw text."""
    d = tmp_path / name
    d.mkdir()
    for fname, data in files.items():
        text = data if isinstance(data, str) else yaml.safe_dump(
            data, allow_unicode=True, sort_keys=False)
        (d / fname).write_text(text, encoding="utf-8")
    return d


def load(tmp_path, files):
    write(tmp_path, files)
    return load_directory(tmp_path)


def assert_problem(result, file, path, fragment):
    """Exactly the expected problem is among those found (and the scheme is not returned)."""
    hits = [p for p in result.problems
            if p.file == file and p.path == path and fragment in p.message]
    assert hits, "\n".join(str(p) for p in result.problems) or "no problems"
    assert not result.schemes


S, Q1, Q2 = "t/scheme.yaml", "t/q_g1.yaml", "t/q_g2.yaml"
