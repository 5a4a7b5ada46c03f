"""Sites of one province: they share the procedure catalogue and receive each other's dossiers
(intake regardless of administrative boundary, Nghị định 118/2025 Điều 14).

An installation that serves a single province may leave every site's ``province`` empty: empty
is then that province.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from .models import Site


def province_site_ids(site: Site) -> Select:
    """The ids of the sites of ``site``'s province, as a subquery."""
    same = Site.province.is_(None) if site.province is None else Site.province == site.province
    return select(Site.id).where(same)


def same_province(one: Site, other: Site) -> bool:
    return one.province == other.province
