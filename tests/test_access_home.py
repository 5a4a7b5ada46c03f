"""Permission rules have one home, ``queue_server/auth/access.py``: no other module decides by a
member of staff's role or a device's kind.

A reviewer reads one file to know who may do what; a rule copied into a view drifts from it.
The check reads the source: a comparison with a role (``Role.ADMIN``..., or its name as a
string) outside the auth package is a rule out of its home. Comparing two roles (has the
account's role changed?) decides nothing and is allowed.
"""

from __future__ import annotations

import ast

from .helpers import ROOT

PACKAGES = ("queue_server", "kiosk", "display", "postal")
HOME = ROOT / "queue_server" / "auth"
ROLE_NAMES = {"ADMIN", "SUPERVISOR", "OFFICER", "POSTAL_CLERK"}
ROLE_VALUES = {"admin", "supervisor", "officer", "postal_clerk"}


def _is_role(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and node.value in ROLE_VALUES:
        return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
        return node.attr in ROLE_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_is_role(item) for item in node.elts)
    return False


def role_decisions(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Compare) and any(_is_role(part) for part in [node.left, *node.comparators]):
            found.append(f"{name}:{node.lineno}")
    return found


def test_only_access_decides_by_role():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if HOME in path.parents or "migrations" in path.parts:
                continue
            found += role_decisions(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == [], "decide in queue_server/auth/access.py: " + ", ".join(found)


def test_the_check_sees_a_rule_out_of_its_home():
    """The check itself can fail: the rule this issue moved out of the console is found."""
    view = "def is_supervisor(actor):\n    return actor.user.role in (Role.ADMIN, Role.SUPERVISOR)\n"
    assert role_decisions(view, "console/dossiers.py") == ["console/dossiers.py:2"]
    assert role_decisions("if role == Role.ADMIN:\n    pass\n", "x.py") == ["x.py:1"]
    assert role_decisions("ok = user.role != 'officer'\n", "x.py") == ["x.py:1"]
    assert role_decisions("changed = role != user.role\n", "x.py") == []
