"""Every model, imported in one place for Alembic and for ``Base.metadata``."""

from .audit.models import AuditEntry
from .auth.models import DeviceToken, User, user_sites
from .booking.models import Booking
from .dossiers.models import (
    Attachment,
    CalendarDay,
    Dossier,
    DossierEvent,
    DossierSequence,
    Procedure,
)
from .evaluations.models import Evaluation
from .manifests.models import Manifest, ManifestItem
from .notify.models import MessageTemplate, Notification, SiteChannel, Subscription
from .payments.models import StatementImport, StatementLine
from .printing.models import PrintJob
from .province.models import ProvinceImport, ProvinceLink, ProvinceMessage
from .queueing.models import CounterPause, QueueEvent, Ticket, TicketSequence
from .ratings.models import Rating
from .reports.models import DurationHistogram, ReportDay, TicketStat
from .sites.models import (
    Counter,
    CounterSchedule,
    Department,
    Duty,
    OpeningHours,
    Rotation,
    Service,
    Site,
)
from .sites.signage_models import SignageMedia, SignageNotice
from .sync.models import SyncOperation

__all__ = [
    "StatementImport",
    "StatementLine",
    "Booking",
    "DurationHistogram",
    "ReportDay",
    "TicketStat",
    "CounterPause",
    "Rating",
    "Evaluation",
    "AuditEntry",
    "Attachment",
    "CalendarDay",
    "Dossier",
    "DossierEvent",
    "Manifest",
    "ManifestItem",
    "MessageTemplate",
    "Notification",
    "SiteChannel",
    "Subscription",
    "Counter",
    "CounterSchedule",
    "Department",
    "DeviceToken",
    "Duty",
    "DossierSequence",
    "OpeningHours",
    "PrintJob",
    "ProvinceImport",
    "ProvinceLink",
    "ProvinceMessage",
    "Procedure",
    "QueueEvent",
    "Rotation",
    "Service",
    "Site",
    "SignageMedia",
    "SignageNotice",
    "SyncOperation",
    "Ticket",
    "TicketSequence",
    "User",
    "user_sites",
]
