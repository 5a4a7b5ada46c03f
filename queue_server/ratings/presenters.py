"""The rating choices in the visitor's language, and the rating form's words, for the API and the
pages (the counter's tablet and the citizen's phone)."""

from __future__ import annotations

from flask_babel import gettext

from ..web import N_
from .models import RatingLevel
from .operations import LEVEL_LABELS, REASONS

# What the rating form's script says, on the tablet and on the phone (tracking/views.py).
FORM_STRINGS = (N_("Không gửi được đánh giá. Vui lòng thử lại."),)


def choices() -> list[dict]:
    """Each level with its label and the reasons offered for it (codes and labels), in order."""
    return [
        {
            "level": level,
            "label": gettext(LEVEL_LABELS[level]),
            "reasons": [{"code": code, "label": gettext(label)} for code, label in REASONS[level].items()],
        }
        for level in RatingLevel.ALL
    ]
