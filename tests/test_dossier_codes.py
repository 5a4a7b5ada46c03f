"""Dossier codes: the legal format, a gap-free daily sequence per receiving agency."""

from datetime import date

import pytest

from queue_server.dossiers.codes import allocate_code
from queue_server.errors import ApiError

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@both_databases
def test_codes_follow_the_legal_format_per_agency_and_day(session):
    day = date(2023, 10, 27)
    codes = [allocate_code(session, "000.00.06.H56", day) for _ in range(3)]
    post_office = allocate_code(session, "BD.NA.VINH", day)
    next_day = allocate_code(session, "000.00.06.H56", date(2023, 10, 28))
    session.commit()
    assert codes == ["000.00.06.H56-231027-0001", "000.00.06.H56-231027-0002", "000.00.06.H56-231027-0003"]
    assert post_office == "BD.NA.VINH-231027-0001"
    assert next_day == "000.00.06.H56-231028-0001"


def test_a_rolled_back_intake_gives_its_code_back(session):
    day = date(2023, 10, 27)
    allocate_code(session, "H56", day)
    session.commit()
    allocate_code(session, "H56", day)
    session.rollback()
    assert allocate_code(session, "H56", day) == "H56-231027-0002"


def test_bad_agency_codes_are_refused(session):
    with pytest.raises(ApiError):
        allocate_code(session, "no spaces!", date(2023, 10, 27))


def test_long_agency_ids_long_sequences_and_centralised_system_codes(session):
    day = date(2026, 12, 2)
    longest = "A" * 35  # Quyết định 20/2020/QĐ-TTg: up to 35 characters
    assert allocate_code(session, longest, day) == f"{longest}-261202-0001"
    with pytest.raises(ApiError):
        allocate_code(session, "A" * 36, day)
    # Thông tư 04/2025: <id>-<YYMMDD>-<AA><sequence of at least 4>, numbered apart.
    assert allocate_code(session, "000.00.06.H40", day, "BN") == "000.00.06.H40-261202-BN0001"
    assert allocate_code(session, "000.00.06.H40", day) == "000.00.06.H40-261202-0001"
    with pytest.raises(ApiError):
        allocate_code(session, "000.00.06.H40", day, "b1")
    # A busy agency passes 9999 a day: the code simply grows.
    from sqlalchemy import update

    from queue_server.dossiers.models import DossierSequence

    session.execute(
        update(DossierSequence)
        .where(DossierSequence.agency_code == "000.00.06.H40", DossierSequence.series == "")
        .values(last_value=9999)
    )
    assert allocate_code(session, "000.00.06.H40", day) == "000.00.06.H40-261202-10000"
    session.commit()


@pytest.mark.parametrize(
    ("text", "agency", "series", "sequence"),
    [
        ("000.00.06.H56-231027-0361", "000.00.06.H56", "", 361),
        ("000.00.06.H40-261202-12345", "000.00.06.H40", "", 12345),
        ("000.00.06.H40-261202-BN0012", "000.00.06.H40", "BN", 12),
        ("H40.01.02.03.04.05.06.07.08.09.1011-261202-0001", "H40.01.02.03.04.05.06.07.08.09.1011", "", 1),
    ],
)
def test_scanners_and_the_offline_client_read_every_form_of_code(text, agency, series, sequence):
    from hardware.scanning import parse
    from queue_server.dossiers.codes import looks_like_code

    scan = parse(text)
    assert scan.kind == "dossier" and looks_like_code(text)
    assert (scan.fields["agency"], scan.fields["series"], scan.fields["sequence"]) == (
        agency,
        series,
        sequence,
    )


@pytest.mark.parametrize("text", ["000.00.06.H56-231027-361", "A" * 36 + "-231027-0001", "H56-231027-bn0001"])
def test_what_is_not_a_dossier_code(text):
    from queue_server.dossiers.codes import looks_like_code

    assert not looks_like_code(text)
