"""The rules of docs/ARCHITECTURE.md, checked by reading the source with `ast` (nothing is run).

Every import counts, also one inside a function: a late import hides a dependency, it does
not remove it.
"""
import ast
from functools import cache
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("app", "jobs", "questionnaires")
FEATURES = ("admin", "auth", "index", "interference_review", "lists", "mailing", "progress", "survey")
#: Pure packages: data in, data out — no web framework, no database, nothing else of the app.
PURE = ("app.scoring", "app.interference", "questionnaires")
WEB_AND_DATABASE = ("flask", "flask_babel", "flask_login", "flask_mail", "flask_migrate", "flask_sqlalchemy",
                    "flask_wtf", "werkzeug", "wtforms", "sqlalchemy", "app", "jobs")
#: Wiring: they import every package to register it; no package imports them.
COMPOSITION_ROOTS = ("app", "app.legacy_urls", "jobs.cli", "jobs.runner", "jobs.registry")
#: The package cycles ARCHITECTURE.md documents (each edge of a cycle must be listed here).
DOCUMENTED_CYCLES = {
    ("app.mailing", "app.progress"),  # mailing's address pages use the progress scope (visible units) …
    ("app.progress", "app.mailing"),  # … and progress queues its reminders through mailing
    ("app.mailing", "app.survey"),  # the "not me" page resolves a survey link …
    ("app.survey", "app.mailing"),  # … and survey reads mailing's tokens and waiting links
    ("app.mailing", "jobs"),  # the invitations page shows the runner's heartbeat …
    ("jobs", "app.mailing"),  # … and the job list runs mailing's drain, reminders and bounce reader
}
#: Besides views, commands and jobs, the bodies of periodic jobs own their commits.
JOB_BODIES = ("app.mailing.outbox", "app.mailing.claims", "app.mailing.statuses", "app.mailing.imap", "app.survey.sealing", "jobs.heartbeat")
COMMIT_HELPERS = ("app.core.transactions", "app.core.cli_utils")
#: The signed-in home page lists every feature's tasks: a room of its own inside core.
HOME_PAGE = ("app.core.routes", "app.core.tasks")


@cache
def modules() -> dict[str, ast.Module]:
    out = {}
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return out


def is_package(name: str) -> bool:
    return (ROOT / name.replace(".", "/") / "__init__.py").exists()


def imports(name: str) -> list[tuple[str, int]]:
    """(imported module, line) for every import of the module, relative ones resolved."""
    base = name if is_package(name) else name.rpartition(".")[0]
    out = []
    for node in ast.walk(modules()[name]):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = ".".join(base.split(".")[: len(base.split(".")) - node.level + 1])
                target = f"{anchor}.{node.module}" if node.module else anchor
            else:
                target = node.module
            out.append((target, node.lineno))
            # `from . import services` imports a module, not a name
            out += [(f"{target}.{alias.name}", node.lineno) for alias in node.names
                    if f"{target}.{alias.name}" in modules()]
    return out


def package(module: str) -> str:
    """The room a module belongs to: app.<package>, app (factory, extensions), jobs, questionnaires,
    or the top-level name of a library."""
    if module in HOME_PAGE:
        return "app.core (home page)"
    parts = module.split(".")
    if parts[0] == "app" and len(parts) > 1 and is_package(f"app.{parts[1]}"):
        return f"app.{parts[1]}"
    return "app" if parts[0] == "app" else parts[0]


def is_view_module(name: str) -> bool:
    """A module that declares routes (`@bp.route`) or a blueprint."""
    for node in ast.walk(modules()[name]):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Blueprint":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "route" and isinstance(node.value, ast.Name):
            return True
    return False


def violations(rule) -> list[str]:
    return [f"{name}:{line} imports {target}" for name in modules() for target, line in imports(name)
            if rule(name, target)]


def test_pure_packages_import_no_web_framework_no_database_and_nothing_of_the_app():
    def broken(name, target):
        return (package(name) in PURE and package(target) != package(name)
                and target.split(".")[0] in WEB_AND_DATABASE)
    assert violations(broken) == []


def test_models_import_no_feature_package():
    def broken(name, target):
        return package(name) == "app.models" and package(target).startswith(("app.", "jobs", "questionnaires")) \
            and package(target) != "app.models" and target != "app.extensions"
    assert violations(broken) == []


def test_core_imports_no_feature_package():
    def broken(name, target):
        return package(name) == "app.core" and package(target) in {f"app.{f}" for f in FEATURES}
    assert violations(broken) == []


def test_views_are_imported_only_by_the_factory_and_views_of_their_own_package():
    views = {name for name in modules() if is_view_module(name)}
    assert "app.lists.routes" in views and "app.survey.enumerator" in views

    def broken(name, target):
        if target not in views or name == "app":
            return False
        return not (name in views and package(name) == package(target))
    assert violations(broken) == []


def test_nobody_imports_the_composition_roots():
    def broken(name, target):
        return target in COMPOSITION_ROOTS and target != "app" and name not in COMPOSITION_ROOTS
    assert violations(broken) == []


def test_no_import_cycle_between_packages_but_the_documented_ones():
    edges = {(package(name), package(target)) for name in modules() if name not in COMPOSITION_ROOTS
             for target, _line in imports(name)
             if package(target) != package(name) and package(target) in {package(m) for m in modules()}}
    reach = {a: {b for x, b in edges if x == a} for a, _b in edges}
    changed = True
    while changed:  # transitive closure: a handful of packages
        changed = False
        for a in reach:
            more = set().union(*(reach.get(b, set()) for b in reach[a])) - reach[a]
            if more:
                reach[a] |= more
                changed = True
    in_cycles = {(a, b) for a, b in edges if a in reach.get(b, set())}
    assert in_cycles <= DOCUMENTED_CYCLES, sorted(in_cycles - DOCUMENTED_CYCLES)


def test_only_views_commands_and_jobs_commit():
    def commits(name):
        return any(isinstance(node, ast.Attribute) and node.attr == "commit" for node in ast.walk(modules()[name]))
    owners = [name for name in modules() if commits(name)]
    allowed = [name for name in owners if is_view_module(name) or name.endswith((".cli", ".jobs"))
               or name.startswith("jobs.") or name in JOB_BODIES or name in COMMIT_HELPERS]
    assert sorted(set(owners) - set(allowed)) == []


def test_only_the_mailing_package_talks_to_mail_servers():
    def broken(name, target):
        return target.split(".")[0] in ("smtplib", "imaplib", "flask_mail") and package(name) != "app.mailing" \
            and name != "app.extensions"
    assert violations(broken) == []


def test_no_dynamic_imports():
    found = [f"{name}:{node.lineno}" for name, tree in modules().items() for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
             and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("__import__", "import_module")]
    assert found == []


def test_every_config_key_read_is_declared_in_config_py():
    declared = set(vars(config.Config))
    read = set()
    for name, tree in modules().items():
        for node in ast.walk(tree):
            key = None
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                    and node.value.attr == "config" and isinstance(node.slice, ast.Constant):
                key = node.slice.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                    and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "config" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                key = node.args[0].value
            if isinstance(key, str) and key.isupper():
                read.add((key, name))
    assert sorted((key, name) for key, name in read if key not in declared) == []
