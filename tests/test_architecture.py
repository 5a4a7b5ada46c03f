"""The layers of the code hold: the import contracts of ``pyproject.toml`` ([tool.importlinter]).

They say, once, which package may import which (bottom to top: plain modules, the audit
recorder, sites, auth, queueing, ..., the pages, the application factory), that only the
factory imports a blueprint's module (no package reaches into another's ``api`` or ``views``),
and that the post-office client and the device drivers stay free of the server's web stack.
``docs/architecture.md`` explains them; ``make lint`` runs the same check.
"""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out
