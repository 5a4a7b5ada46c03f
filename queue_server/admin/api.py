"""Administration over HTTP: a site's settings, departments, services, counters and schedules,
rotations and officers' duties, staff accounts and devices. Thin views over :mod:`.operations`
(one module per entity), which holds the rules, and :mod:`.presenters`, which shapes the answers.

Supervisors act at the sites they supervise; admins everywhere, and only admins create sites or
give the admin role (:mod:`queue_server.auth.access`). Configuration lives under
``/api/v1/admin``; devices stay beside the site (``/api/v1/sites/{code}/devices``), and so does
the day's duty roster that the console reads for any officer of the site
(``/api/v1/sites/{code}/on-duty``).
"""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from sqlalchemy import select

from ..auth.access import (
    Action,
    allowed,
    require,
    require_admin,
    require_staff,
    require_supervisor,
)
from ..database import db, utcnow
from ..sites.calendar import business_date
from ..sites.lookups import get_counter, get_site
from ..sites.models import Site
from .operations import counters, departments, devices, duties, rotations, schedules, services, sites, users
from .presenters import (
    counter_view,
    counters_of,
    department_view,
    departments_of,
    device_view,
    devices_of,
    duties_of,
    duties_on,
    duty_view,
    rota,
    rotation_view,
    rotations_of,
    schedule_view,
    service_view,
    services_of,
    site_view,
    user_view,
)
from .schemas import (
    CounterChangesSchema,
    CounterInSchema,
    CounterSettingsSchema,
    DepartmentChangesSchema,
    DepartmentInSchema,
    DepartmentSchema,
    DeviceIssueSchema,
    DeviceStateSchema,
    DutyChangesSchema,
    DutyInSchema,
    DutyQuerySchema,
    DutySchema,
    IssuedDeviceSchema,
    OnDutySchema,
    PasswordSchema,
    RotaQuerySchema,
    RotaSchema,
    RotationChangesSchema,
    RotationInSchema,
    RotationSchema,
    ScheduleChangesSchema,
    ScheduleInSchema,
    ScheduleSchema,
    ServiceChangesSchema,
    ServiceInSchema,
    ServiceSettingsSchema,
    SiteChangesSchema,
    SiteCreateSchema,
    SiteSettingsSchema,
    UserChangesSchema,
    UserInSchema,
    UserQuerySchema,
    UserSchema,
)

blp = Blueprint("admin_api", __name__, url_prefix="/api/v1", description="Administration and supervision")


def supervised_site(code: str) -> Site:
    site = get_site(db.session, code)
    require(Action.SUPERVISE, site.id)
    return site


def supervised_row(row):
    """A department, service, counter... once the caller may supervise its site (else 403)."""
    require(Action.SUPERVISE, row.site_id)
    return row


def _today(site: Site):
    return business_date(site, utcnow())


# -- sites -----------------------------------------------------------------------------------------


@blp.route("/admin/sites", methods=["GET"])
@blp.response(200, SiteSettingsSchema(many=True))
def list_sites():
    """The sites the caller supervises (every site for an admin), with all their settings."""
    actor = require_supervisor()
    every_site = db.session.scalars(select(Site).order_by(Site.code))
    return [site_view(s) for s in every_site if allowed(actor, Action.SUPERVISE, s.id)]


@blp.route("/admin/sites", methods=["POST"])
@blp.arguments(SiteCreateSchema())
@blp.response(201, SiteSettingsSchema)
def create_site(data):
    """Open a new site (admins only)."""
    require_admin()
    site = sites.create_site(db.session, data)
    db.session.commit()
    return site_view(site)


@blp.route("/admin/sites/<site_code>", methods=["GET"])
@blp.response(200, SiteSettingsSchema)
def get_site_settings(site_code):
    """A site's settings and opening hours."""
    return site_view(supervised_site(site_code))


@blp.route("/admin/sites/<site_code>", methods=["PATCH"])
@blp.arguments(SiteChangesSchema())
@blp.response(200, SiteSettingsSchema)
def update_site(data, site_code):
    """Change a site's settings; ``opening_hours`` replaces the whole week."""
    site = supervised_site(site_code)
    sites.update_site(db.session, site, data)
    db.session.commit()
    return site_view(site)


@blp.route("/admin/sites/<site_code>/rota", methods=["GET"])
@blp.arguments(RotaQuerySchema(), location="query")
@blp.response(200, RotaSchema)
def site_rota(query, site_code):
    """Who serves what, per counter and day (merged counters that rotate by week included), who
    is on duty there, and the week each rotation is in."""
    site = supervised_site(site_code)
    return rota(db.session, site, query.get("date_from"), query["days"], _today(site))


# -- departments -----------------------------------------------------------------------------------


@blp.route("/admin/sites/<site_code>/departments", methods=["GET"])
@blp.response(200, DepartmentSchema(many=True))
def list_departments(site_code):
    """The site's departments (sở, ngành) and how many services each has."""
    return departments_of(db.session, supervised_site(site_code))


@blp.route("/admin/sites/<site_code>/departments", methods=["POST"])
@blp.arguments(DepartmentInSchema())
@blp.response(201, DepartmentSchema)
def create_department(data, site_code):
    """Add a department."""
    department = departments.create_department(db.session, supervised_site(site_code), data)
    db.session.commit()
    return department_view(department, 0)


@blp.route("/admin/departments/<int:department_id>", methods=["PATCH"])
@blp.arguments(DepartmentChangesSchema())
@blp.response(200, DepartmentSchema)
def update_department(data, department_id):
    """Change a department's code or names."""
    department = supervised_row(departments.get_department(db.session, department_id))
    departments.update_department(db.session, department, data)
    db.session.commit()
    return department_view(department, len(department.services))


@blp.route("/admin/departments/<int:department_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, description="It still has services or procedures")
def delete_department(department_id):
    """Remove an empty department (and the counter rules naming it)."""
    department = supervised_row(departments.get_department(db.session, department_id))
    departments.delete_department(db.session, department)
    db.session.commit()
    return Response(status=204)


# -- services --------------------------------------------------------------------------------------


@blp.route("/admin/sites/<site_code>/services", methods=["GET"])
@blp.response(200, ServiceSettingsSchema(many=True))
def list_services(site_code):
    """Every service of the site, active or not, with its numbering."""
    return services_of(db.session, supervised_site(site_code))


@blp.route("/admin/sites/<site_code>/services", methods=["POST"])
@blp.arguments(ServiceInSchema())
@blp.response(201, ServiceSettingsSchema)
@blp.alt_response(409, description="Code or numbers already used by another service of the site")
def create_service(data, site_code):
    """Add a service: a letter prefix (A001...) or a number range that no other service uses."""
    service = services.create_service(db.session, supervised_site(site_code), data)
    db.session.commit()
    return service_view(service)


@blp.route("/admin/services/<int:service_id>", methods=["PATCH"])
@blp.arguments(ServiceChangesSchema())
@blp.response(200, ServiceSettingsSchema)
@blp.alt_response(409, description="Code or numbers already used by another service of the site")
def update_service(data, service_id):
    """Change a service; ``active: false`` takes it off the kiosk but keeps its records."""
    service = supervised_row(services.get_service(db.session, service_id))
    services.update_service(db.session, service, data)
    db.session.commit()
    return service_view(service)


@blp.route("/admin/services/<int:service_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, description="The service has tickets: deactivate it instead")
def delete_service(service_id):
    """Remove a service nobody ever took a number for."""
    service = supervised_row(services.get_service(db.session, service_id))
    services.delete_service(db.session, service)
    db.session.commit()
    return Response(status=204)


# -- counters and schedules ------------------------------------------------------------------------


@blp.route("/admin/sites/<site_code>/counters", methods=["GET"])
@blp.response(200, CounterSettingsSchema(many=True))
def list_counters(site_code):
    """The site's counters with their schedule rules."""
    return counters_of(db.session, supervised_site(site_code))


@blp.route("/admin/sites/<site_code>/counters", methods=["POST"])
@blp.arguments(CounterInSchema())
@blp.response(201, CounterSettingsSchema)
@blp.alt_response(409, description="The number is taken")
def create_counter(data, site_code):
    """Add a counter."""
    counter = counters.create_counter(db.session, supervised_site(site_code), data)
    db.session.commit()
    return counter_view(counter)


@blp.route("/admin/counters/<int:counter_id>", methods=["PATCH"])
@blp.arguments(CounterChangesSchema())
@blp.response(200, CounterSettingsSchema)
@blp.alt_response(409, description="The number is taken")
def update_counter(data, counter_id):
    """Renumber or rename a counter."""
    counter = supervised_row(get_counter(db.session, counter_id))
    counters.update_counter(db.session, counter, data)
    db.session.commit()
    return counter_view(counter)


@blp.route("/admin/counters/<int:counter_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, description="The counter has served, or has live devices")
def delete_counter(counter_id):
    """Remove a counter that never served."""
    counter = supervised_row(get_counter(db.session, counter_id))
    counters.delete_counter(db.session, counter)
    db.session.commit()
    return Response(status=204)


@blp.route("/admin/counters/<int:counter_id>/schedules", methods=["GET"])
@blp.response(200, ScheduleSchema(many=True))
def list_schedules(counter_id):
    """A counter's rules: what it serves, on which weekdays, in which weeks."""
    counter = supervised_row(get_counter(db.session, counter_id))
    return counter_view(counter)["schedules"]


@blp.route("/admin/counters/<int:counter_id>/schedules", methods=["POST"])
@blp.arguments(ScheduleInSchema())
@blp.response(201, ScheduleSchema)
def create_schedule(data, counter_id):
    """Add a rule: a department or a service, on weekdays, in a week of a rotation, between dates."""
    counter = supervised_row(get_counter(db.session, counter_id))
    rule = schedules.create_schedule(db.session, counter, data)
    db.session.commit()
    return schedule_view(rule)


@blp.route("/admin/schedules/<int:schedule_id>", methods=["PATCH"])
@blp.arguments(ScheduleChangesSchema())
@blp.response(200, ScheduleSchema)
def update_schedule(data, schedule_id):
    """Change a rule; naming a department replaces a service and the other way round."""
    rule = schedules.get_schedule(db.session, schedule_id)
    require(Action.SUPERVISE, rule.counter.site_id)
    schedules.update_schedule(db.session, rule, data)
    db.session.commit()
    return schedule_view(rule)


@blp.route("/admin/schedules/<int:schedule_id>", methods=["DELETE"])
@blp.response(204)
def delete_schedule(schedule_id):
    """Remove a rule."""
    rule = schedules.get_schedule(db.session, schedule_id)
    require(Action.SUPERVISE, rule.counter.site_id)
    schedules.delete_schedule(db.session, rule)
    db.session.commit()
    return Response(status=204)


# -- rotations -------------------------------------------------------------------------------------


@blp.route("/admin/sites/<site_code>/rotations", methods=["GET"])
@blp.response(200, RotationSchema(many=True))
def list_rotations(site_code):
    """The site's rotations (luân phiên): cycles of N weeks that counter rules and duties follow."""
    site = supervised_site(site_code)
    return rotations_of(db.session, site, _today(site))


@blp.route("/admin/sites/<site_code>/rotations", methods=["POST"])
@blp.arguments(RotationInSchema())
@blp.response(201, RotationSchema)
@blp.alt_response(409, description="The name is taken")
def create_rotation(data, site_code):
    """Add a rotation of ``weeks`` weeks whose week 1 starts on the Monday of ``anchor``."""
    site = supervised_site(site_code)
    rotation = rotations.create_rotation(db.session, site, data)
    db.session.commit()
    return rotation_view(rotation, _today(site))


@blp.route("/admin/rotations/<int:rotation_id>", methods=["PATCH"])
@blp.arguments(RotationChangesSchema())
@blp.response(200, RotationSchema)
@blp.alt_response(409, description="The name is taken, or a week to be cut still has rules")
def update_rotation(data, rotation_id):
    """Rename a rotation, move its anchor or change its length (every rule following it moves)."""
    rotation = supervised_row(rotations.get_rotation(db.session, rotation_id))
    rotations.update_rotation(db.session, rotation, data)
    db.session.commit()
    return rotation_view(rotation, _today(rotation.site))


@blp.route("/admin/rotations/<int:rotation_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(409, description="Counter rules or duties still follow it")
def delete_rotation(rotation_id):
    """Remove a rotation nothing follows."""
    rotation = supervised_row(rotations.get_rotation(db.session, rotation_id))
    rotations.delete_rotation(db.session, rotation)
    db.session.commit()
    return Response(status=204)


# -- officers' duties ------------------------------------------------------------------------------


@blp.route("/admin/sites/<site_code>/duties", methods=["GET"])
@blp.response(200, DutySchema(many=True))
def list_duties(site_code):
    """The officers' duties (lịch trực): who works which counter, on which days and weeks."""
    return duties_of(db.session, supervised_site(site_code))


@blp.route("/admin/sites/<site_code>/duties", methods=["POST"])
@blp.arguments(DutyInSchema())
@blp.response(201, DutySchema)
def create_duty(data, site_code):
    """Put an officer of the site on a counter, on weekdays, in a week of a rotation, between dates."""
    duty = duties.create_duty(db.session, supervised_site(site_code), data)
    db.session.commit()
    return duty_view(duty)


@blp.route("/admin/duties/<int:duty_id>", methods=["PATCH"])
@blp.arguments(DutyChangesSchema())
@blp.response(200, DutySchema)
def update_duty(data, duty_id):
    """Change a duty: the officer, the counter or the days."""
    duty = duties.get_duty(db.session, duty_id)
    require(Action.SUPERVISE, duty.counter.site_id)
    duties.update_duty(db.session, duty, data)
    db.session.commit()
    return duty_view(duty)


@blp.route("/admin/duties/<int:duty_id>", methods=["DELETE"])
@blp.response(204)
def delete_duty(duty_id):
    """Remove a duty."""
    duty = duties.get_duty(db.session, duty_id)
    require(Action.SUPERVISE, duty.counter.site_id)
    duties.delete_duty(db.session, duty)
    db.session.commit()
    return Response(status=204)


@blp.route("/sites/<site_code>/on-duty", methods=["GET"])
@blp.arguments(DutyQuerySchema(), location="query")
@blp.response(200, OnDutySchema)
def on_duty(query, site_code):
    """Who is on duty at each counter today (or on ``date``), and the caller's own counters:
    for the console's choice of counter. Any member of staff who may work the site's counters."""
    site = get_site(db.session, site_code)
    actor = require_staff(Action.OPERATE_COUNTER, site.id)
    return duties_on(db.session, site, actor.user, query.get("date") or _today(site))


# -- users -----------------------------------------------------------------------------------------


@blp.route("/admin/users", methods=["GET"])
@blp.arguments(UserQuerySchema(), location="query")
@blp.response(200, UserSchema(many=True))
def list_users(query):
    """The accounts the caller manages: every one for an admin; for a supervisor, the non-admin
    staff working only at sites they supervise."""
    actor = require_supervisor()
    site = supervised_site(query["site"]) if "site" in query else None
    return [user_view(u) for u in users.users_for(db.session, actor, site)]


@blp.route("/admin/users", methods=["POST"])
@blp.arguments(UserInSchema())
@blp.response(201, UserSchema)
@blp.alt_response(409, description="The username is taken")
def create_user(data):
    """Create a staff account (the password is stored hashed)."""
    user = users.create_user(db.session, require_supervisor(), data)
    db.session.commit()
    return user_view(user)


@blp.route("/admin/users/<int:user_id>", methods=["PATCH"])
@blp.arguments(UserChangesSchema())
@blp.response(200, UserSchema)
def update_user(data, user_id):
    """Change an account's name, role, sites or whether it may log in (at once: a change of
    role or sites, or deactivation, ends the account's sessions)."""
    actor = require_supervisor()
    user = users.get_user(db.session, actor, user_id)
    users.update_user(db.session, actor, user, data)
    db.session.commit()
    return user_view(user)


@blp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@blp.arguments(PasswordSchema())
@blp.response(204)
def reset_password(data, user_id):
    """Give an account a new password: its sessions end, and its holder must choose their own
    at the next login."""
    actor = require_supervisor()
    user = users.get_user(db.session, actor, user_id)
    users.reset_password(db.session, actor, user, data["password"])
    db.session.commit()
    return Response(status=204)


# -- devices ---------------------------------------------------------------------------------------


@blp.route("/sites/<site_code>/devices", methods=["GET"])
@blp.response(200, DeviceStateSchema(many=True))
def site_devices(site_code):
    """Every device of the site with its state and last contact (supervisors and admins)."""
    return devices_of(db.session, supervised_site(site_code))


@blp.route("/sites/<site_code>/devices", methods=["POST"])
@blp.arguments(DeviceIssueSchema())
@blp.response(201, IssuedDeviceSchema)
def issue_device(data, site_code):
    """Issue a device token. The token is in this answer only: the server keeps its hash."""
    site = supervised_site(site_code)
    device, token = devices.issue_device(db.session, site, data["kind"], data["name"], data["counter"])
    db.session.commit()
    return {**device_view(device, site, data["counter"]), "token": token}


@blp.route("/devices/<int:device_id>/revoke", methods=["POST"])
@blp.response(200, DeviceStateSchema)
def revoke_device(device_id):
    """Revoke a device token: its next request is refused."""
    device = supervised_row(devices.get_device(db.session, device_id))
    devices.revoke_device(db.session, device)
    db.session.commit()
    number = device.counter_id and get_counter(db.session, device.counter_id).number
    return device_view(device, device.site, number)
