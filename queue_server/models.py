"""Every model, imported in one place for Alembic and for ``Base.metadata``."""

from .auth.models import DeviceToken, User, user_sites
from .dossiers.models import DossierSequence, Procedure
from .printing.models import PrintJob
from .queueing.models import QueueEvent, Ticket, TicketSequence
from .sites.models import Counter, CounterSchedule, Department, OpeningHours, Service, Site

__all__ = [
    "Counter",
    "CounterSchedule",
    "Department",
    "DeviceToken",
    "DossierSequence",
    "OpeningHours",
    "PrintJob",
    "Procedure",
    "QueueEvent",
    "Service",
    "Site",
    "Ticket",
    "TicketSequence",
    "User",
    "user_sites",
]
