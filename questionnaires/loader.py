"""Load scheme directories: read YAML safely, validate, assemble frozen schemes.

Bad files never raise here: every mistake becomes a :class:`Problem` so that
``flask schemes check`` can show all of them at once.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any, Optional

import yaml

from .checker import Checker
from .model import Problem
from .questionnaire_reader import read_questionnaire
from .scheme_reader import read_scheme
from .validate import assemble, cross_check

SCHEME_FILE = "scheme.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadResult:
    """Schemes that loaded cleanly (by code), every problem found, and all codes seen."""

    schemes: dict = dc_field(default_factory=dict)
    problems: list = dc_field(default_factory=list)
    found: list = dc_field(default_factory=list)  #: every scheme code read, valid or not

    @property
    def ok(self) -> bool:
        return not self.problems


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                continue  # unhashable key: SafeLoader reports it itself
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"found duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def nfc(value: Any) -> Any:
    """Normalise every string (keys and values) to Unicode NFC, recursively.

    Vietnamese text typed on different systems arrives precomposed or decomposed; NFC makes
    equal-looking codes and labels compare equal.
    """
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


def read_yaml(raw: bytes, ck: Checker) -> tuple[bool, Any]:
    """Parse YAML bytes; on failure record a problem with the line and return (False, None)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        ck.add("", f"file is not valid UTF-8 (byte {exc.start})")
        return False, None
    try:
        return True, nfc(yaml.load(text, Loader=_StrictLoader))  # noqa: S506 - SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        ck.add("", f"invalid YAML{where}: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        ck.add("", f"invalid YAML: {exc}")
    return False, None


def load_scheme_dir(dirpath: str | Path, *, root: Optional[str | Path] = None) -> LoadResult:
    """Load one scheme directory (``scheme.yaml`` + one YAML file per questionnaire).

    Problem files are named relative to ``root`` (default: the directory's parent), e.g.
    ``par_province/q_hdnd.yaml``.
    """
    dirpath = Path(dirpath)
    root = Path(root) if root is not None else dirpath.parent
    result = LoadResult()
    label = lambda p: p.relative_to(root).as_posix()  # noqa: E731
    scheme_path = dirpath / SCHEME_FILE
    if not scheme_path.is_file():
        result.problems.append(Problem(label(dirpath), "", f"no {SCHEME_FILE} in this directory"))
        return result
    files = sorted(p for p in dirpath.iterdir()
                   if p.is_file() and p.suffix in YAML_SUFFIXES and p.name != SCHEME_FILE)
    digest = hashlib.sha256()
    raws = {}
    for path in [scheme_path, *files]:
        raws[path] = path.read_bytes()
    # The digest covers names and bytes in filename order, so any edit changes the version.
    for path in sorted(raws, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + raws[path] + b"\0")

    scheme_ck = Checker(label(scheme_path), result.problems)
    parsed, data = read_yaml(raws[scheme_path], scheme_ck)
    draft = read_scheme(data, scheme_ck) if parsed else None
    if draft is None:
        return result
    if draft.code:
        result.found.append(draft.code)
    readings, complete = [], True
    for path in files:
        ck = Checker(label(path), result.problems)
        parsed, data = read_yaml(raws[path], ck)
        q = read_questionnaire(data, ck, draft) if parsed else None
        if q is None:
            complete = False
        else:
            readings.append((ck, q))
    questionnaires, weights = cross_check(draft, scheme_ck, readings, complete)
    if not result.problems:
        sources = tuple(label(p) for p in [scheme_path, *files])
        scheme = assemble(draft, questionnaires, weights, sources, digest.hexdigest())
        result.schemes[scheme.code] = scheme
    return result


def load_directory(path: str | Path) -> LoadResult:
    """Load every scheme directory under ``path`` (or ``path`` itself if it is one).

    Scheme codes must be unique across directories. Only schemes without any problem in
    their files are returned in ``schemes``.
    """
    path = Path(path)
    result = LoadResult()
    if (path / SCHEME_FILE).is_file():
        return load_scheme_dir(path)
    if not path.is_dir():
        result.problems.append(Problem(path.as_posix(), "", "no such directory"))
        return result
    where: dict[str, str] = {}
    for sub in sorted(p for p in path.iterdir() if p.is_dir()):
        has_yaml = any(p.suffix in YAML_SUFFIXES for p in sub.iterdir() if p.is_file())
        if not has_yaml:
            continue  # __pycache__ and the like
        one = load_scheme_dir(sub, root=path)
        result.problems.extend(one.problems)
        label = f"{sub.name}/{SCHEME_FILE}"
        for code in one.found:
            if code in where:
                result.problems.append(Problem(label, "code", f"duplicate scheme code '{code}' "
                                                              f"(already used in {where[code]})"))
                one.schemes.pop(code, None)
            else:
                where[code] = label
                result.found.append(code)
        result.schemes.update(one.schemes)
    if not where and not result.problems:
        result.problems.append(Problem(path.as_posix(), "", "no scheme directory found"))
    return result


def default_directory() -> Path:
    """The directory of the shipped schemes (this package)."""
    return Path(__file__).resolve().parent

