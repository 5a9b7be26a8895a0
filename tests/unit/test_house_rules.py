"""The shape of the house, as rules that fail (docs/architecture.md explains each): the
domain imports no web or API code, one audience's views never import another's, only
``workflow`` assigns a petition's status, only the boundary commits. Each rule is a
function over a source tree, and each has a test that breaks it on purpose."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "traveler_portal"

# Code that ends a transaction itself, and why. Everything else runs inside a boundary
# (a view, an API handler, a task, a command) that commits for it (domain/uow.py).
COMMITTERS = {
    "domain/uow.py": "the unit of work itself",
    "domain/outbox.py": "marks messages sent after talking to the broker",
    "reference/loader.py": "load-reference-data, a command",
    "cli.py": "commands are boundaries",
    "demo.py": "seed-demo, a command",
    "domain/schedules.py": "beat sweeps: one transaction per case, so one failure keeps the rest",
    "domain/evidence.py": "the deadline sweep: one transaction per case",
    "domain/employee_imports.py": "an import: one transaction per batch, so a rerun resumes",
    "domain/integrations.py": "a webhook delivery ends its transaction before the HTTP call",
    "domain/retention.py": "the draft purge: one transaction per draft, its files after",
    "domain/lockout.py": "the owner's lockout notice is kept though the sign-in fails",
    "database.py": "a new connection's own setting (SET jit = off), before the pool lends it",
}
ROLLBACKS_IN_VIEWS = {"web/support/errors.py", "web/support/transactions.py",
                      "api/errors.py"}


def _sources(root: Path):
    base = root / PACKAGE
    for path in sorted(base.rglob("*.py")):
        yield path.relative_to(base).as_posix(), ast.parse(path.read_text(), str(path))


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The absolute dotted name an import refers to (relative ones resolved)."""
    if node.level == 0:
        return node.module or ""
    parts = (PACKAGE + "/" + module).removesuffix(".py").split("/")
    parts = parts[:-1]  # the package the module is in (an __init__ is its package)
    base = parts[:len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node)
            names.add(target)
            names |= {f"{target}.{alias.name}" for alias in node.names}
    return names


def layer_offenders(root: Path) -> list[str]:
    """domain and models import neither web nor api; api imports no audience's views."""
    found = []
    for module, tree in _sources(root):
        layer = module.split("/")[0]
        for name in _imports(module, tree):
            parts = name.split(".")
            if parts[0] != PACKAGE or len(parts) < 2:
                continue
            if layer in ("domain", "models") and parts[1] in ("web", "api", "forms"):
                found.append(f"{module} imports {name}")
            if layer == "api" and parts[1] == "web" and len(parts) > 2 \
                    and parts[2] != "support":
                found.append(f"{module} imports {name}")
    return sorted(set(found))


def audience_offenders(root: Path) -> list[str]:
    """A view of one audience imports nothing from another audience's folder."""
    found = []
    for module, tree in _sources(root):
        parts = module.split("/")
        if parts[0] != "web" or len(parts) < 3 or parts[1] == "support":
            continue
        for name in _imports(module, tree):
            bits = name.split(".")
            if bits[:2] == [PACKAGE, "web"] and len(bits) > 2 and \
                    bits[2] not in ("support", parts[1]):
                found.append(f"{module} imports {name}")
    return sorted(set(found))


def status_offenders(root: Path) -> list[str]:
    """Only domain/workflow.py assigns a petition's status (a new draft starts as one)."""
    found = []
    for module, tree in _sources(root):
        if module == "domain/workflow.py":
            continue
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    found.append(f"{module}:{node.lineno} assigns .status")
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "status" and getattr(node.func, "attr", "") == "values":
                        found.append(f"{module}:{node.lineno} updates status in SQL")
                    if kw.arg == "status" and ast.unparse(kw.value) != "Status.DRAFT" \
                            and getattr(node.func, "id", "") == "Petition":
                        found.append(f"{module}:{node.lineno} creates a petition as "
                                     f"{ast.unparse(kw.value)}")
    return found


def commit_offenders(root: Path) -> list[str]:
    """Nothing but the boundary (and the listed task-level code) commits; views and API
    handlers never commit or roll back themselves."""
    found = []
    for module, tree in _sources(root):
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            call = ast.unparse(node.func)
            if node.func.attr == "commit" and module not in COMMITTERS:
                found.append(f"{module}:{node.lineno} {call}()")
            if call in ("uow.rollback", "db.session.rollback") and \
                    module.split("/")[0] in ("web", "api") and module not in ROLLBACKS_IN_VIEWS:
                found.append(f"{module}:{node.lineno} {call}()")
    return found


RULES = [layer_offenders, audience_offenders, status_offenders, commit_offenders]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_the_code_keeps_the_rule(rule):
    assert rule(ROOT) == []


# --- the tests of the tests: break each rule in a throwaway tree and see it caught ----

BREAKS = {
    layer_offenders: ("domain/bad.py", "from ..web.support import errors\n"),
    audience_offenders: ("web/traveler/bad.py", "from ..officer import case_page\n"),
    status_offenders: ("domain/bad.py", "def f(p):\n    p.status = 'approved'\n"),
    commit_offenders: ("web/officer/bad.py", "def f():\n    uow.commit()\n"),
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_each_rule_catches_a_break(rule, tmp_path):
    path, source = BREAKS[rule]
    target = tmp_path / PACKAGE / path
    target.parent.mkdir(parents=True)
    target.write_text(source)
    assert rule(tmp_path) != []
    target.write_text("x = 1\n")
    assert rule(tmp_path) == []
