"""Fill ``{name}`` placeholders in a text an administrator wrote, without ``str.format``.

A text from a setting or a form (the hall's call template, a centre's own privacy notice) is
data, not code: ``str.format`` would read attributes (``{number.__class__}``), build huge
strings (``{counter:>999999999}``) or raise on a stray brace. :func:`fill` replaces each bare
``{name}`` whose name it is given and leaves everything else exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_BARE = re.compile(r"\{([a-z_]+)\}")


def fill(text: str, values: Mapping[str, object]) -> str:
    """``text`` with each bare ``{name}`` of ``values`` replaced by its value; other braces stay."""
    return _BARE.sub(lambda match: str(values[match[1]]) if match[1] in values else match[0], text)
