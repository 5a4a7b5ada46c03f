"""A site's departments (phòng, ban): a code unique within the site; only an empty department
goes."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...dossiers.models import Procedure
from ...errors import ApiError, Conflict
from ...lookups import get_or_404
from ...sites.models import CounterSchedule, Department, Service, Site
from .common import apply, configured, delete_rules, flush, row_of_site, taken

log = logging.getLogger(__name__)


def get_department(session: Session, department_id: int) -> Department:
    return get_or_404(
        session,
        Department,
        department_id,
        code="unknown_department",
        message=f"No department {department_id}.",
    )


def _check_department_code(session: Session, site: Site, code: str, department: Department | None) -> None:
    if taken(session, site, Department.code, code, department):
        raise Conflict("department_code_taken", f"{site.code} already has department {code}.", field="code")


def create_department(session: Session, site: Site, values: dict) -> Department:
    _check_department_code(session, site, values["code"], None)
    department = Department(site_id=site.id, code=values["code"], name=values["name"])
    apply(department, values, ("name_en",))
    session.add(department)
    flush(session)
    log.info("department %s of %s created", department.code, site.code)
    configured(session, site, "department")
    return department


def update_department(session: Session, department: Department, changes: dict) -> Department:
    if "code" in changes:
        _check_department_code(session, department.site, changes["code"], department)
    apply(department, changes, ("code", "name", "name_en"))
    flush(session)
    log.info("department %s of %s changed", department.code, department.site.code)
    configured(session, department.site, "department")
    return department


def delete_department(session: Session, department: Department) -> None:
    """Only an empty department goes; the counter rules naming it go with it."""
    services = session.scalar(select(func.count(Service.id)).where(Service.department_id == department.id))
    if services:
        raise Conflict(
            "department_in_use",
            f"Department {department.code} still has {services} service(s): move or delete them first.",
        )
    procedures = session.scalar(
        select(func.count(Procedure.id)).where(Procedure.department_id == department.id)
    )
    if procedures:
        raise Conflict(
            "department_in_use",
            f"{procedures} procedure(s) of the catalogue belong to department {department.code}.",
        )
    delete_rules(session, CounterSchedule.department_id == department.id)
    site = department.site
    session.delete(department)
    flush(session)
    log.info("department %s of %s deleted", department.code, site.code)
    configured(session, site, "department")


def department_by_code(session: Session, site: Site, code: str, field: str = "department") -> Department:
    """The site's department that a request names by its code (else a 400 on ``field``)."""
    department = row_of_site(session, site, Department.code, code)
    if department is None:
        raise ApiError("unknown_department", f"{site.code} has no department {code}.", field=field)
    return department
