"""The evaluation in the visitor's language: the criteria of a dossier's set with their answers,
the computed indices as the citizen reads them, an evaluation's result. Never personal data."""

from __future__ import annotations

from flask_babel import gettext

from ..dossiers import labels
from ..dossiers.models import Dossier
from ..timefmt import iso
from ..web import N_
from .criteria import VERDICT_LABELS, CriteriaSet, Source
from .models import Evaluation
from .operations import computed, criteria_for

# What the form's script says (tracking/dossier.html, static/js/dossier-evaluation.js).
FORM_STRINGS = (
    N_("Không gửi được đánh giá. Vui lòng thử lại."),
    N_("Vui lòng chọn câu trả lời cho mọi tiêu chí."),
)


def _facts(code: str, values: dict) -> str:
    """What a computed index was measured from, in a sentence."""
    if code in ("total_time", "body_time"):
        text = gettext(labels.OUTCOME[values["outcome"]]) if values.get("outcome") in labels.OUTCOME else ""
        if values.get("late_transfers"):
            text += "; " + gettext("chuyển hồ sơ chậm {n} lần").format(n=values["late_transfers"])
        return text
    if code == "contacts":
        return gettext("{n} lần đến nộp, bổ sung hồ sơ").format(n=values["trips"])
    if code == "bodies":
        return gettext("{n} nơi phải đến").format(n=values["bodies"])
    if code == "one_stop":
        return gettext("Tiếp nhận và trả kết quả tại Bộ phận Một cửa")
    if code == "online":
        channel = values["channel"]
        return gettext("Nộp hồ sơ: {channel}").format(
            channel=gettext(labels.CHANNEL[channel]) if channel in labels.CHANNEL else channel
        )
    return ""


def form(dossier: Dossier) -> dict:
    """The set's criteria for the dossier's page: the asked ones with their answers, the
    computed ones with the points the history gives them now."""
    criteria: CriteriaSet = criteria_for(dossier)
    measured = computed(dossier)
    return {
        "set": criteria.code,
        "source": criteria.source,
        "max_score": criteria.max_score,
        "asked": [
            {
                "code": criterion.code,
                "number": criterion.number,
                "title": gettext(criterion.title),
                "choices": [
                    {"code": choice.code, "label": gettext(choice.label)} for choice in criterion.choices
                ],
            }
            for criterion in criteria.asked
        ],
        "computed": [
            {
                "code": criterion.code,
                "number": criterion.number,
                "title": gettext(criterion.title),
                "points": measured[criterion.code][0],
                "facts": _facts(criterion.code, measured[criterion.code][1]),
            }
            for criterion in criteria.criteria
            if criterion.source == Source.COMPUTED
        ],
    }


def evaluation_view(evaluation: Evaluation) -> dict:
    return {
        "criteria_set": evaluation.criteria_set,
        "channel": evaluation.channel,
        "answers": evaluation.answers,
        "indices": [
            {key: index[key] for key in ("number", "code", "source", "points")}
            for index in evaluation.indices
        ],
        "score": evaluation.score,
        "max_score": evaluation.max_score,
        "verdict": evaluation.verdict,
        "verdict_label": gettext(VERDICT_LABELS[evaluation.verdict]),
        "created_at": iso(evaluation.created_at),
    }
