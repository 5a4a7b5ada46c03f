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
