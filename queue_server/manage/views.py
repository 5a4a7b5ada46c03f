"""``/manage``: the home of supervisors and admins, where they land after logging in.

A thin page: the chosen site's alerts (:mod:`.alerts`) and the ways to the reports, the live
dashboard and the administration. Which site: ``?site=``, else the first centre of the user
(for an admin, the provincial centre: centres come before post offices). Anyone else goes to the console.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from ..auth.access import Action, lands_on_manager_home
from ..database import db, utcnow
from ..staffpages import chosen_site, signed_in, staff_context
from . import alerts

bp = Blueprint("manage", __name__, template_folder="templates", url_prefix="/manage")


@bp.get("")
def home():
    actor = signed_in()
    if not lands_on_manager_home(actor):
        return redirect(url_for("console.console"))
    site, sites = chosen_site(actor, Action.SUPERVISE)
    found = alerts.alerts(db.session, site, utcnow())
    context = staff_context(actor, site, sites, ())
    return render_template("manage/home.html", nav="home", alerts=found, **context)
