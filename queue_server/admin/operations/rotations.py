"""A site's rotations: counters merged by week (week 1 from a Monday anchor), which counter rules
and officers' duties follow. A rotation cannot lose a week that rules still use, nor go while
anything follows it."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import Conflict
from ...lookups import get_or_404
from ...sites.models import CounterSchedule, Duty, Rotation, Site, monday_of
from .common import apply, configured, flush, taken

log = logging.getLogger(__name__)

ROTATION_FIELDS = ("name", "anchor", "weeks")


def get_rotation(session: Session, rotation_id: int) -> Rotation:
    return get_or_404(
        session, Rotation, rotation_id, code="unknown_rotation", message=f"No rotation {rotation_id}."
    )


def _rules_on(session: Session, rotation: Rotation) -> list[CounterSchedule | Duty]:
    """The counter rules and officers' duties that follow the rotation."""
    return [
        *session.scalars(select(CounterSchedule).where(CounterSchedule.rotation_id == rotation.id)),
        *session.scalars(select(Duty).where(Duty.rotation_id == rotation.id)),
    ]


def _set_rotation(session: Session, site: Site, rotation: Rotation, values: dict) -> None:
    name = values.get("name", rotation.name)
    if taken(session, site, Rotation.name, name, rotation):
        raise Conflict("rotation_name_taken", f"{site.code} already has a rotation {name!r}.", field="name")
    if "weeks" in values and rotation.id is not None:
        weeks = (rule.rotation_week for rule in _rules_on(session, rotation))
        last = max((week for week in weeks if week is not None), default=0)
        if values["weeks"] < last:
            raise Conflict(
                "rotation_week_in_use",
                f"Week {last} of rotation {rotation.name!r} still has rules or duties: move them first.",
                field="weeks",
            )
    if "anchor" in values:
        values = {**values, "anchor": monday_of(values["anchor"])}  # week 1 starts on a Monday
    apply(rotation, values, ROTATION_FIELDS)


def create_rotation(session: Session, site: Site, values: dict) -> Rotation:
    rotation = Rotation(site_id=site.id)
    _set_rotation(session, site, rotation, values)
    session.add(rotation)
    flush(session)
    log.info("rotation %s of %s created (%s weeks)", rotation.id, site.code, rotation.weeks)
    configured(session, site, "rotation")
    return rotation


def update_rotation(session: Session, rotation: Rotation, changes: dict) -> Rotation:
    """Renaming is harmless; a new anchor or length moves every rule that follows it at once."""
    _set_rotation(session, rotation.site, rotation, changes)
    flush(session)
    log.info("rotation %s of %s changed: %s", rotation.id, rotation.site.code, ", ".join(sorted(changes)))
    configured(session, rotation.site, "rotation")
    return rotation


def delete_rotation(session: Session, rotation: Rotation) -> None:
    """Only a rotation nothing follows goes: its rules would otherwise apply every week."""
    used = len(_rules_on(session, rotation))
    if used:
        raise Conflict(
            "rotation_in_use",
            f"{used} counter rule(s) or duties follow rotation {rotation.name!r}: change them first.",
        )
    site = rotation.site
    session.delete(rotation)
    flush(session)
    log.info("rotation %s of %s deleted", rotation.id, site.code)
    configured(session, site, "rotation")
