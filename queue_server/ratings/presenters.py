"""The rating choices in the visitor's language, for the API and the pages."""

from __future__ import annotations

from flask_babel import gettext

from .models import RatingLevel
from .operations import LEVEL_LABELS, REASONS


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
