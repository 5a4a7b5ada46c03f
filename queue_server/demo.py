"""The demo centre: a provincial public service centre modelled on Nghệ An's (see docs/domain.md).

Loading is idempotent: whatever already exists (by code or username) is left as it is.
Demo counters serve every day of the week so that the demo can be tried on a weekend; real
sites usually limit their rules to weekdays.

The merged counters 8, 9 and 10 follow a two-week rotation anchored on Monday 29/12/2025 (week 1
of ISO 2026), so that they keep alternating across 2026/2027, where ISO week 53 and week 1 are
both odd. The two officers follow the same rotation between counters 8 and 9: the Justice
officer goes where Justice is served, the other takes the counter Justice left.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth.models import User
from .auth.services import create_user
from .dossiers import formsets
from .dossiers.catalogue import import_procedures
from .dossiers.models import FormSettings, Procedure
from .notify.models import ChannelKind, SiteChannel
from .sites.models import (
    Counter,
    CounterSchedule,
    Department,
    Duty,
    OpeningHours,
    PriorityPolicy,
    Rotation,
    Service,
    Site,
    SiteKind,
)

PROVINCE = "NA-HCC"
COMMUNE = "NA-TRUONGVINH"
POST_OFFICE = "NA-BC-VINH"
# Agency codes in dossier codes (mã đơn vị): made up in the national pattern for the demo.
AGENCY_CODES = {PROVINCE: "000.00.06.H40", COMMUNE: "000.27.30.H40", POST_OFFICE: "BC.460000"}
PROVINCE_NAME = "Nghệ An"
# What each centre writes at the top of its forms (every form set): the governing body and the
# place on the date line.
FORM_HEADINGS = {
    PROVINCE: ("Ủy ban nhân dân tỉnh Nghệ An", "Nghệ An"),
    COMMUNE: ("Ủy ban nhân dân phường Trường Vinh", "Trường Vinh"),
}

# The procedures the province takes in, in the columns of the catalogue import (catalogue.py).
PROCEDURES = [
    {
        "code": "1.001756",
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        "department": "STP",
        "field": "Lý lịch tư pháp",
        "processing_time": "10",
        "unit": "working_days",
        "fee": "200000",
        "postal": "yes",
        "documents": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (1 bản); Bản chụp Căn cước công dân (1 bản)",
    },
    {
        "code": "1.009994",
        "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "department": "SXD",
        "field": "Xây dựng",
        "processing_time": "15",
        "unit": "working_days",
        "fee": "75000",
        "postal": "yes",
        "documents": "Đơn đề nghị cấp giấy phép xây dựng (1 bản); "
        "Bản sao giấy tờ về quyền sử dụng đất (1 bản); Bản vẽ thiết kế xây dựng (2 bản)",
    },
    {
        "code": "1.004227",
        "name": "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "department": "SNNMT",
        "field": "Đất đai",
        "processing_time": "10",
        "unit": "working_days",
        "fee": "0",
        "postal": "no",
        "documents": "Đơn đăng ký biến động đất đai (1 bản); Bản gốc Giấy chứng nhận đã cấp (1 bản)",
    },
    {
        "code": "2.001610",
        "name": "Đăng ký thành lập doanh nghiệp tư nhân",
        "department": "STC",
        "field": "Thành lập và hoạt động của doanh nghiệp",
        "processing_time": "3",
        "unit": "working_days",
        "fee": "50000",
        "postal": "yes",
        "documents": "Giấy đề nghị đăng ký doanh nghiệp (1 bản); "
        "Bản sao giấy tờ pháp lý của chủ doanh nghiệp (1 bản)",
    },
    {
        "code": "2.000190",
        "name": "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược",
        "department": "SYT",
        "field": "Dược phẩm",
        "processing_time": "30",
        "unit": "calendar_days",
        "fee": "1500000",
        "postal": "yes",
        "pay_first": "yes",
        "documents": "Đơn đề nghị (1 bản); Tài liệu kỹ thuật (1 bản); Chứng chỉ hành nghề dược (1 bản)",
    },
    {
        "code": "1.000775",
        "name": "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
        "department": "SGDDT",
        "field": "Văn bằng, chứng chỉ",
        "processing_time": "8",
        "unit": "working_hours",
        "fee": "0",
        "postal": "yes",
        "documents": "Đơn đề nghị cấp bản sao (1 bản); Bản chụp Căn cước công dân (1 bản)",
    },
]

# What the ward handles itself (commune-level procedures); it also receives the province's.
WARD_PROCEDURES = [
    {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "department": "UBND",
        "field": "Hộ tịch",
        "processing_time": "1",
        "unit": "working_days",
        "fee": "0",
        "postal": "yes",
        "documents": "Tờ khai đăng ký khai sinh (1 bản); Giấy chứng sinh (1 bản)",
    },
    {
        "code": "2.000815",
        "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "department": "UBND",
        "field": "Chứng thực",
        "processing_time": "4",
        "unit": "working_hours",
        "fee": "2000",
        "postal": "no",
        "cutoff": "15:00",
        "documents": "Bản chính giấy tờ (1 bản); Bản sao cần chứng thực (1 bản)",
    },
]

# code, name, English name
DEPARTMENTS = [
    ("STP", "Sở Tư pháp", "Department of Justice"),
    ("SXD", "Sở Xây dựng", "Department of Construction"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    ("STC", "Sở Tài chính", "Department of Finance"),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade"),
    ("SYT", "Sở Y tế", "Department of Health"),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("SNV", "Sở Nội vụ", "Department of Home Affairs"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("TKQ", "Bộ phận trả kết quả tập trung", "Central result return"),
    ("BDT", "Bưu điện tỉnh Nghệ An", "Nghệ An Post"),
]

# code, department, field (lĩnh vực), name, English name, numbering (start or prefix)
SERVICES: list[tuple[str, str, str, str, str, int | str]] = [
    ("TP-LLTP", "STP", "Tư pháp", "Cấp phiếu lý lịch tư pháp", "Criminal record certificate", 1001),
    (
        "TP-QT",
        "STP",
        "Tư pháp",
        "Quốc tịch, hộ tịch có yếu tố nước ngoài",
        "Nationality and foreign civil status",
        1501,
    ),
    ("XD-GPXD", "SXD", "Xây dựng", "Cấp giấy phép xây dựng", "Building permits", 2001),
    (
        "XD-CCHN",
        "SXD",
        "Xây dựng",
        "Chứng chỉ hành nghề xây dựng",
        "Construction practice certificates",
        2501,
    ),
    ("NM-DD", "SNNMT", "Đất đai", "Đất đai", "Land", 3001),
    ("NM-MT", "SNNMT", "Môi trường", "Môi trường, tài nguyên nước", "Environment and water resources", 3501),
    ("NM-NN", "SNNMT", "Nông nghiệp", "Nông nghiệp, thủy sản", "Agriculture and fisheries", 3801),
    ("TC-DKDN", "STC", "Doanh nghiệp", "Đăng ký doanh nghiệp", "Business registration", 4001),
    ("TC-DT", "STC", "Đầu tư", "Đầu tư", "Investment", 4501),
    ("CT-TM", "SCT", "Công Thương", "Thương mại, công nghiệp, điện lực", "Trade, industry and power", 5001),
    ("YT-HN", "SYT", "Y tế", "Hành nghề y, dược", "Medical and pharmacy practice", 6001),
    ("GD-VB", "SGDDT", "Giáo dục", "Văn bằng, chứng chỉ", "Diplomas and certificates", 6501),
    (
        "NV-LD",
        "SNV",
        "Nội vụ",
        "Lao động, việc làm, người có công",
        "Labour, employment and merit persons",
        7001,
    ),
    ("VH-DL", "SVHTTDL", "Văn hóa", "Văn hóa, thể thao, du lịch", "Culture, sports and tourism", 7501),
    ("TKQ", "TKQ", "Trả kết quả", "Nhận kết quả hồ sơ", "Collect a result", "K"),
    ("BD", "BDT", "Bưu chính", "Gửi hồ sơ, nhận kết quả qua bưu điện", "Send or receive by post", "B"),
]

# The kiosk's icon of each demo service (sites/icons.py).
ICONS = {
    "TP-LLTP": "justice",
    "TP-QT": "family",
    "XD-GPXD": "building",
    "XD-CCHN": "building",
    "NM-DD": "land",
    "NM-MT": "leaf",
    "NM-NN": "sprout",
    "TC-DKDN": "briefcase",
    "TC-DT": "chart",
    "CT-TM": "factory",
    "YT-HN": "health",
    "GD-VB": "education",
    "NV-LD": "people",
    "VH-DL": "culture",
    "TKQ": "document",
    "BD": "mail",
    "HT": "family",
    "DD": "land",
    "CS": "support",
}

ALL_WEEK = "1234567"

# The merged counters' rotation (anchor: the first day of its week 1).
ROTATION: dict[str, Any] = {"name": "Quầy gộp", "anchor": date(2025, 12, 29), "weeks": 2}

# number, name, rules: (department or service code, week of the rotation or None for every week)
COUNTERS: list[tuple[int, str, list[tuple[str, int | None]]]] = [
    (1, "Quầy 1 - Nông nghiệp và Môi trường", [("SNNMT", None)]),
    (2, "Quầy 2 - Nông nghiệp và Môi trường", [("SNNMT", None)]),
    (3, "Quầy 3 - Đất đai", [("NM-DD", None)]),
    (4, "Quầy 4 - Tài chính", [("STC", None)]),
    (5, "Quầy 5 - Tài chính", [("STC", None)]),
    (6, "Quầy 6 - Xây dựng", [("SXD", None)]),
    (7, "Quầy 7 - Công Thương", [("SCT", None)]),
    # Merged counters: Justice and Construction / Culture share two counters, week by week.
    (8, "Quầy 8 - Quầy gộp (Tư pháp tuần 1, Xây dựng tuần 2)", [("STP", 1), ("SXD", 2)]),
    (9, "Quầy 9 - Quầy gộp (Văn hóa tuần 1, Tư pháp tuần 2)", [("SVHTTDL", 1), ("STP", 2)]),
    (
        10,
        "Quầy 10 - Quầy gộp Y tế, Giáo dục, Nội vụ, Văn hóa",
        [("SYT", None), ("SGDDT", None), ("SNV", None), ("SVHTTDL", 2)],
    ),
    (11, "Quầy 11 - Bưu điện", [("BDT", None)]),
    (12, "Quầy 12 - Trả kết quả tập trung", [("TKQ", None)]),
]

USERS = [
    # username, password (each meets the password policy of auth/services.py), role, sites, full name
    ("admin", "quan-tri-demo", "admin", [], "Quản trị hệ thống"),
    ("supervisor", "giam-sat-demo", "supervisor", [PROVINCE], "Nguyễn Thị Lan"),
    ("officer1", "officer-demo", "officer", [PROVINCE], "Trần Văn Hùng"),
    ("officer2", "officer-demo", "officer", [PROVINCE], "Lê Thị Mai"),
    ("officer3", "officer-demo", "officer", [COMMUNE], "Phạm Quốc Bảo"),
    ("postal", "buu-dien-demo", "postal_clerk", [POST_OFFICE], "Hoàng Minh Tâm"),
]

# username, counter number, week of the merged counters' rotation: people rotate as well.
DUTIES = [("officer1", 8, 1), ("officer1", 9, 2), ("officer2", 9, 1), ("officer2", 8, 2)]

OFFICE_HOURS = [(time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))]


def _opening_hours(saturday_morning: bool) -> list[OpeningHours]:
    hours = [
        OpeningHours(weekday=day, opens=opens, closes=closes)
        for day in range(5)
        for opens, closes in OFFICE_HOURS
    ]
    if saturday_morning:
        hours.append(OpeningHours(weekday=5, opens=time(7, 30), closes=time(11, 30)))
    return hours


def _load_province(session: Session) -> Site:
    site = Site(
        code=PROVINCE,
        name="Trung tâm Phục vụ hành chính công tỉnh Nghệ An",
        name_en="Nghệ An Provincial Public Administrative Service Centre",
        kind=SiteKind.PROVINCIAL_CENTRE,
        priority_policy=PriorityPolicy.INTERLEAVE,
        priority_max_run=2,
        # So that the demo can be tried at any hour; the ward below keeps real hours.
        enforce_opening_hours=False,
        opening_hours=_opening_hours(saturday_morning=True),
        # Appointments and numbers from a phone (/book/NA-HCC), to try them.
        booking_enabled=True,
        remote_ticket_enabled=True,
    )
    session.add(site)
    session.flush()
    # "Nhận thông báo" on the tracking pages: Web Push needs no account or gateway, only the
    # server's own key (made at the first start). E-mail, SMS and Zalo need the centre's relay
    # and contracts: an admin switches them on at /admin/notifications.
    session.add(SiteChannel(site_id=site.id, channel=ChannelKind.WEBPUSH, enabled=True, settings={}))
    departments = {
        code: Department(site=site, code=code, name=name, name_en=name_en)
        for code, name, name_en in DEPARTMENTS
    }
    services = {}
    for order, (code, dept, field, name, name_en, numbering) in enumerate(SERVICES):
        service = Service(
            site=site,
            department=departments[dept],
            code=code,
            name=name,
            name_en=name_en,
            field=field,
            icon=ICONS.get(code),
            sort_order=order,
            active=True,
            default_service_seconds=420,
        )
        if isinstance(numbering, int):
            service.number_start, service.number_end = numbering, numbering + 498
        else:
            service.prefix, service.daily_max = numbering, 999
        services[code] = service
    session.add_all([*departments.values(), *services.values()])
    rotation = Rotation(site=site, **ROTATION)
    session.add(rotation)
    for number, name, rules in COUNTERS:
        counter = Counter(site=site, number=number, name=name)
        for target, week in rules:
            rule = CounterSchedule(weekdays=ALL_WEEK)
            if week is not None:
                rule.rotation, rule.rotation_week = rotation, week
            if target in departments:
                rule.department = departments[target]
            else:
                rule.service = services[target]
            counter.schedules.append(rule)
        session.add(counter)
    return site


def _load_commune(session: Session) -> Site:
    site = Site(
        code=COMMUNE,
        name="Trung tâm Phục vụ hành chính công phường Trường Vinh",
        name_en="Trường Vinh Ward Public Administrative Service Centre",
        kind=SiteKind.COMMUNE_CENTRE,
        priority_policy=PriorityPolicy.STRICT,
        opening_hours=_opening_hours(saturday_morning=False),
    )
    department = Department(
        site=site, code="UBND", name="Ủy ban nhân dân phường", name_en="Ward People's Committee"
    )
    specs = [
        ("HT", "Hộ tịch", "Hộ tịch, chứng thực", "Civil status and certification", "A"),
        ("DD", "Đất đai", "Đất đai, xây dựng", "Land and construction", "B"),
        ("CS", "Chính sách", "Chính sách xã hội", "Social policies", "C"),
    ]
    services = [
        Service(
            site=site,
            department=department,
            code=code,
            field=field,
            icon=ICONS.get(code),
            name=name,
            name_en=name_en,
            prefix=prefix,
            daily_max=999,
            sort_order=i,
        )
        for i, (code, field, name, name_en, prefix) in enumerate(specs)
    ]
    session.add_all([site, department, *services])
    for number in (1, 2):
        counter = Counter(site=site, number=number, name=f"Quầy {number}")
        counter.schedules.append(CounterSchedule(weekdays=ALL_WEEK, department=department))
        session.add(counter)
    return site


def _load_post_office(session: Session) -> Site:
    site = Site(
        code=POST_OFFICE,
        name="Bưu cục Trung tâm Vinh",
        name_en="Vinh Central Post Office",
        kind=SiteKind.POST_OFFICE,
        opening_hours=_opening_hours(saturday_morning=True),
    )
    session.add(site)
    return site


def _load_dossier_side(session: Session) -> None:
    """Agency codes, the province, the procedures of the province and of the ward, the forms'
    headings, and the province's result-return service."""
    sites = {site.code: site for site in session.scalars(select(Site))}
    for code, agency_code in AGENCY_CODES.items():
        if code in sites and sites[code].agency_code is None:
            sites[code].agency_code = agency_code
        if code in sites and sites[code].province is None:
            sites[code].province = PROVINCE_NAME
    for code, procedures in ((PROVINCE, PROCEDURES), (COMMUNE, WARD_PROCEDURES)):
        site = sites.get(code)
        if site is None:
            continue
        if session.scalar(select(Procedure.id).where(Procedure.site_id == site.id).limit(1)) is None:
            report = import_procedures(session, site, procedures)
            assert not report.errors, report.errors
        governing_body, place = FORM_HEADINGS[code]
        for form_set in formsets.SETS:
            known = session.scalar(
                select(FormSettings.id).where(
                    FormSettings.site_id == site.id, FormSettings.form_set == form_set
                )
            )
            if known is None:
                session.add(
                    FormSettings(
                        site_id=site.id,
                        form_set=form_set,
                        governing_body=governing_body,
                        place_name=place,
                        symbols={},
                    )
                )
    province = sites.get(PROVINCE)
    if province is None:
        return
    for service in session.scalars(
        select(Service).where(Service.site_id == province.id, Service.code == "TKQ")
    ):
        service.returns_results = True


def _load_duties(session: Session) -> None:
    """The officers' duties at NA-HCC, once its staff exist."""
    site = session.scalars(select(Site).where(Site.code == PROVINCE)).one()
    rotation = session.scalar(
        select(Rotation).where(Rotation.site_id == site.id, Rotation.name == ROTATION["name"])
    )
    counters = {c.number: c for c in session.scalars(select(Counter).where(Counter.site_id == site.id))}
    users = {u.username: u for u in session.scalars(select(User))}
    for username, number, week in DUTIES:
        session.add(
            Duty(
                counter=counters[number],
                user=users[username],
                weekdays=ALL_WEEK,
                rotation=rotation,
                rotation_week=week,
            )
        )


def load_demo(session: Session, must_change_passwords: bool = False) -> str:
    """Load what is missing of the demo. ``must_change_passwords`` (seeded in production): the
    accounts created must replace their published passwords at the first login."""
    created = []
    existing = set(session.scalars(select(Site.code)))
    if PROVINCE not in existing:
        _load_province(session)
        created.append(PROVINCE)
    if COMMUNE not in existing:
        _load_commune(session)
        created.append(COMMUNE)
    if POST_OFFICE not in existing:
        _load_post_office(session)
        created.append(POST_OFFICE)
    session.flush()
    _load_dossier_side(session)
    session.flush()
    usernames = set(session.scalars(select(User.username)))
    for username, password, role, sites, full_name in USERS:
        if username not in usernames:
            user = create_user(session, username, password, role, sites, full_name)
            user.must_change_password = must_change_passwords
            created.append(username)
    if PROVINCE in created:
        session.flush()
        _load_duties(session)
    return f"Demo loaded; created: {', '.join(created)}" if created else "Demo already loaded."
