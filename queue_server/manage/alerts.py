"""What needs a manager's attention at a site now, each said in a sentence with a link to where
it is dealt with. The rules live in their domains; this module only asks them and words it:

- dossiers due soon or late: :func:`queue_server.dossiers.watch.late_counts`, to the dossier
  list filtered on the flag;
- printers with a fault: :func:`queue_server.printing.operations.printer_faults`, to the
  devices page;
- counters that should serve but are closed, or open with no officer:
  :func:`queue_server.auth.duties.counters_not_serving`, to the live dashboard;
- tickets waiting longer than ``LONG_WAIT_MINUTES``: :func:`queue_server.queueing.estimates.long_waits`,
  to the live dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth.duties import counters_not_serving
from ..dossiers import watch
from ..printing.labels import PRINTER_STATES
from ..printing.operations import printer_faults
from ..queueing.estimates import long_waits
from ..sites.calendar import business_date
from ..sites.models import Service, Site, SiteKind
from ..web import N_

DANGER, WARNING = "danger", "warning"


@dataclass(frozen=True)
class Alert:
    kind: str  # dossiers_overdue, dossiers_due_soon, printer, counters_closed, counters_no_officer, long_wait
    level: str  # DANGER or WARNING: the order of the list, and its colour
    text: str
    link: str
    link_text: str


def _numbers(counters) -> str:
    return ", ".join(str(counter.number) for counter in counters)


# The dossier list's flags that make an alert: its level, what it says, its link's text.
DOSSIER_FLAGS = (
    ("overdue", DANGER, N_("{n} hồ sơ đã quá hạn."), N_("Xem hồ sơ quá hạn")),
    ("due_soon", WARNING, N_("{n} hồ sơ sắp đến hạn."), N_("Xem hồ sơ sắp đến hạn")),
)


def _dossiers(session: Session, site: Site, now: datetime) -> list[Alert]:
    counts = watch.late_counts(session, site.id, now)
    return [
        Alert(
            f"dossiers_{flag}",
            level,
            gettext(text).format(n=counts[flag]),
            url_for("console.dossiers.dossier_list", site=site.code, flag=flag),
            gettext(link_text),
        )
        for flag, level, text, link_text in DOSSIER_FLAGS
        if counts[flag]
    ]


def _printers(session: Session, site: Site) -> list[Alert]:
    return [
        Alert(
            "printer",
            DANGER,
            gettext("Máy in của {device} {state}: phiếu và giấy biên nhận đang phải chờ.").format(
                device=device.name or device.kind, state=gettext(PRINTER_STATES.get(fault, fault))
            ),
            url_for("admin.devices", site=site.code),
            gettext("Xem thiết bị"),
        )
        for device, fault in printer_faults(session, site.id)
    ]


def _counters(session: Session, site: Site, now: datetime) -> list[Alert]:
    found = counters_not_serving(session, site, now)
    dashboard = url_for("reports_pages.dashboard", site_code=site.code)
    alerts = []
    if found["closed"]:
        alerts.append(
            Alert(
                "counters_closed",
                DANGER,
                gettext("Quầy {numbers} đang đóng dù có lịch phục vụ hôm nay.").format(
                    numbers=_numbers(found["closed"])
                ),
                dashboard,
                gettext("Xem giám sát trực tiếp"),
            )
        )
    if found["no_officer"]:
        alerts.append(
            Alert(
                "counters_no_officer",
                WARNING,
                gettext("Quầy {numbers} đang mở nhưng chưa có cán bộ gọi số.").format(
                    numbers=_numbers(found["no_officer"])
                ),
                dashboard,
                gettext("Xem giám sát trực tiếp"),
            )
        )
    return alerts


def _waits(session: Session, site: Site, now: datetime) -> list[Alert]:
    minutes = current_app.config.get("LONG_WAIT_MINUTES", 30)
    waits = long_waits(session, site.id, business_date(site, now), now - timedelta(minutes=minutes))
    if not waits:
        return []
    names = dict(session.execute(select(Service.id, Service.name).where(Service.id.in_(waits))).all())
    dashboard = url_for("reports_pages.dashboard", site_code=site.code)
    return [
        Alert(
            "long_wait",
            WARNING,
            gettext("{service}: {count} người đã chờ quá {limit} phút, lâu nhất {longest} phút.").format(
                service=names.get(service_id, ""),
                count=count,
                limit=f"{minutes:g}",
                longest=int((now - oldest).total_seconds() // 60),
            ),
            dashboard,
            gettext("Xem giám sát trực tiếp"),
        )
        for service_id, (count, oldest) in sorted(waits.items(), key=lambda item: item[1][1])
    ]


def alerts(session: Session, site: Site, now: datetime) -> list[Alert]:
    """Everything that needs a manager at ``site`` now, the most urgent first. A post office
    has no queue or dossiers of its own to watch: only its printers."""
    found = _printers(session, site)
    if site.kind in SiteKind.CENTRES:
        found += _dossiers(session, site, now) + _counters(session, site, now) + _waits(session, site, now)
    return sorted(found, key=lambda alert: alert.level != DANGER)
