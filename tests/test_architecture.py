"""The layers of the code hold: the import contracts of ``pyproject.toml`` ([tool.importlinter]).

They say, once, which package may import which (bottom to top: plain modules, the audit
recorder, sites, auth, queueing, ..., the pages, the application factory), that only the
factory imports a blueprint's module (no package reaches into another's ``api`` or ``views``),
and that the post-office client and the device drivers stay free of the server's web stack.
``docs/architecture.md`` explains them; ``make lint`` runs the same check.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .helpers import ROOT

# Its own process: the linter configures logging for itself, which would silence the loggers of
# the modules imported so far for the tests that come after.
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_import_contracts_hold():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
