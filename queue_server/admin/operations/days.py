"""When a counter rule or an officer's duty holds (weekdays, a week of one of the site's rotations,
first and last days): both share the columns of :class:`queue_server.sites.models.OnDays`, and
both are checked here, once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ...errors import ApiError
from ...sites.models import CounterSchedule, Duty, Rotation, Site

DAYS_FIELDS = ("weekdays", "rotation_id", "rotation_week", "valid_from", "valid_to")


def checked_days(session: Session, site: Site, rule: CounterSchedule | Duty | None, changes: dict) -> dict:
    """The days of a counter rule or a duty (see :class:`OnDays`) once ``changes`` are made, checked;
    with the rotation object under ``rotation``, to set beside its id."""
    values: dict[str, Any] = (
        {name: getattr(rule, name) for name in DAYS_FIELDS} if rule else dict.fromkeys(DAYS_FIELDS)
    )
    values["weekdays"] = values["weekdays"] or "12345"
    values.update({name: changes[name] for name in DAYS_FIELDS if name in changes})
    if "rotation_id" in changes and changes["rotation_id"] is None and "rotation_week" not in changes:
        values["rotation_week"] = None  # leaving the rotation leaves its week
    values["weekdays"] = "".join(sorted(set(values["weekdays"])))
    if values["valid_from"] and values["valid_to"] and values["valid_to"] < values["valid_from"]:
        raise ApiError("invalid_dates", "The rule must end on or after its first day.", field="valid_to")
    values["rotation"] = None
    if values["rotation_id"] is None and values["rotation_week"] is None:
        return values
    if values["rotation_id"] is None or values["rotation_week"] is None:
        raise ApiError(
            "invalid_rotation_week",
            "Name both a rotation and a week of it, or neither (every week).",
            field="rotation_week",
        )
    rotation = session.get(Rotation, values["rotation_id"])
    if rotation is None or rotation.site_id != site.id:
        raise ApiError(
            "unknown_rotation", f"{site.code} has no rotation {values['rotation_id']}.", field="rotation_id"
        )
    if not 1 <= values["rotation_week"] <= rotation.weeks:
        raise ApiError(
            "rotation_week_out_of_range",
            f"Rotation {rotation.name!r} has weeks 1 to {rotation.weeks}.",
            field="rotation_week",
        )
    values["rotation"] = rotation
    return values
