"""The messages' default wording, per event and language, and the check of a site's own.

PROVISIONAL (engineer C's branch): the smallest interface the administration's template page
needs, until engineer A's module (the full table of events and texts, and rendering) replaces
this file at merge. The names the page uses: :data:`EVENTS`, :data:`PLACEHOLDERS`,
:func:`default_text` and :func:`check_template`.
"""

from __future__ import annotations

import string

from ..web import N_

# What happened, as the administration names it.
EVENTS: dict[str, str] = {
    "ticket.near_turn": N_("Sắp đến lượt"),
    "ticket.called": N_("Được gọi số"),
    "dossier.result_ready": N_("Hồ sơ có kết quả"),
}
# The values each event's text may use.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "ticket.near_turn": ("number", "service", "ahead", "site", "link"),
    "ticket.called": ("number", "counter", "site", "link"),
    "dossier.result_ready": ("code", "procedure", "site", "link"),
}
DEFAULTS: dict[tuple[str, str], str] = {
    ("ticket.near_turn", "vi"): "{site}: số {number} sắp đến lượt, còn {ahead} người trước Ông/Bà. {link}",
    ("ticket.near_turn", "en"): "{site}: ticket {number} is nearly up, {ahead} ahead of you. {link}",
    ("ticket.called", "vi"): "{site}: mời Ông/Bà số {number} đến quầy {counter}. {link}",
    ("ticket.called", "en"): "{site}: ticket {number}, please go to counter {counter}. {link}",
    ("dossier.result_ready", "vi"): "{site}: hồ sơ {code} đã có kết quả, mời Ông/Bà đến nhận. {link}",
    ("dossier.result_ready", "en"): "{site}: the result of dossier {code} is ready. {link}",
}


def default_text(event: str, channel: str, language: str) -> tuple[str | None, str]:
    """The built-in (subject, body) of ``event`` on ``channel`` in ``language``."""
    return None, DEFAULTS[(event, language if (event, language) in DEFAULTS else "vi")]


def check_template(event: str, text: str) -> None:
    """ValueError unless ``text`` is a template for ``event``: only its placeholders, braces
    balanced."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise ValueError("unbalanced braces") from None
    unknown = [name for name in names if name not in PLACEHOLDERS.get(event, ())]
    if unknown:
        raise ValueError(f"unknown placeholder {{{unknown[0]}}}")
