"""A site's services, each in a department: a code unique within the site, and numbering (a
letter prefix or a range) that no other service of the site can ever hand out the same day. A
service with tickets stays in the records."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...errors import ApiError, Conflict
from ...lookups import get_or_404
from ...queueing.models import Ticket
from ...sites.models import CounterSchedule, Service, Site
from .common import apply, configured, delete_rules, flush, row_of_site, taken
from .departments import department_by_code

log = logging.getLogger(__name__)

SERVICE_FIELDS = (
    "code",
    "name",
    "name_en",
    "field",
    "icon",
    "prefix",
    "number_start",
    "number_end",
    "daily_max",
    "default_service_seconds",
    "returns_results",
    "active",
    "sort_order",
)


def get_service(session: Session, service_id: int) -> Service:
    return get_or_404(
        session, Service, service_id, code="unknown_service", message=f"No service {service_id}."
    )


def service_by_code(session: Session, site: Site, code: str, field: str = "service") -> Service:
    """The site's service that a request names by its code (else a 400 on ``field``)."""
    service = row_of_site(session, site, Service.code, code)
    if service is None:
        raise ApiError("unknown_service", f"{site.code} has no service {code}.", field=field)
    return service


def last_number(start: int, end: int | None, daily_max: int | None) -> int | None:
    """The highest number a range service can hand out in a day (None: no limit)."""
    limits = [end] if end is not None else []
    if daily_max is not None:
        limits.append(start + daily_max - 1)
    return min(limits) if limits else None


def _numbers(start: int, end: int | None) -> str:
    return f"{start}–{end if end is not None else '…'}"


def _check_numbering(session: Session, site: Site, values: dict, service: Service | None) -> None:
    """A service numbers either with a letter prefix or a range, and no two services of a site
    can ever hand out the same number on the same day."""
    prefix, start, end = values["prefix"], values["number_start"], values["number_end"]
    if (prefix is None) == (start is None):
        raise ApiError(
            "invalid_numbering",
            "Give either a letter prefix (A001, A002...) or the first number of a range (1001...).",
            field="prefix" if prefix is not None else "number_start",
        )
    if end is not None and (start is None or end < start):
        raise ApiError(
            "invalid_range", "The range must end at or after its first number.", field="number_end"
        )
    last = last_number(start, end, values["daily_max"]) if start is not None else None
    others = session.scalars(
        select(Service).where(Service.site_id == site.id, Service.id != (service.id if service else None))
    )
    for other in others:
        if prefix is not None and (other.prefix or "").upper() == prefix:
            raise Conflict(
                "numbering_overlap",
                f"Service {other.code} already numbers with {prefix} ({prefix}001...).",
                field="prefix",
                other=other.code,
            )
        if start is None or other.number_start is None:
            continue
        other_last = last_number(other.number_start, other.number_end, other.daily_max)
        if (other_last is None or start <= other_last) and (last is None or other.number_start <= last):
            raise Conflict(
                "numbering_overlap",
                f"Numbers {_numbers(start, last)} overlap those of service {other.code} "
                f"({_numbers(other.number_start, other_last)}).",
                field="number_start",
                other=other.code,
            )


def _set_service(session: Session, site: Site, service: Service | None, changes: dict) -> Service:
    current = {name: getattr(service, name) for name in SERVICE_FIELDS} if service else {}
    values: dict[str, Any] = {"prefix": None, "number_start": None, "number_end": None, "daily_max": None}
    values.update(current)
    values.update({k: v for k, v in changes.items() if k in SERVICE_FIELDS})
    if values["prefix"] is not None:
        values["prefix"] = values["prefix"].upper()
    if taken(session, site, Service.code, values["code"], service):
        raise Conflict(
            "service_code_taken", f"{site.code} already has service {values['code']}.", field="code"
        )
    department = department_by_code(session, site, changes["department"]) if "department" in changes else None
    _check_numbering(session, site, values, service)
    if service is None:
        if values.get("sort_order") is None:
            highest = session.scalar(select(func.max(Service.sort_order)).where(Service.site_id == site.id))
            values["sort_order"] = (highest or 0) + 1
        service = Service(site_id=site.id)
    apply(service, values, SERVICE_FIELDS)
    if department is not None:
        # The id as well as the object: the audit trail sees column changes before the flush.
        service.department_id, service.department = department.id, department
    return service


def create_service(session: Session, site: Site, values: dict) -> Service:
    service = _set_service(session, site, None, values)
    session.add(service)
    flush(session)
    log.info("service %s of %s created", service.code, site.code)
    configured(session, site, "service")
    return service


def update_service(session: Session, service: Service, changes: dict) -> Service:
    _set_service(session, service.site, service, changes)
    flush(session)
    log.info("service %s of %s changed: %s", service.code, service.site.code, ", ".join(sorted(changes)))
    configured(session, service.site, "service")
    return service


def delete_service(session: Session, service: Service) -> None:
    """A service nobody ever took a number for goes, with the counter rules naming it; one with
    tickets stays in the records: deactivate it instead."""
    used = session.scalar(
        select(Ticket.id)
        .where(or_(Ticket.service_id == service.id, Ticket.issued_service_id == service.id))
        .limit(1)
    )
    if used is not None:
        raise Conflict(
            "service_in_use",
            f"Service {service.code} has tickets and stays in the records: deactivate it instead.",
        )
    delete_rules(session, CounterSchedule.service_id == service.id)
    site = service.site
    session.delete(service)
    flush(session)
    log.info("service %s of %s deleted", service.code, site.code)
    configured(session, site, "service")
