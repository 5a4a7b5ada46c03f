"""Command-line tools: ``flask --app wsgi <command>``."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask.cli import with_appcontext

from .auth.models import DeviceKind
from .database import db

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@click.group("db")
def db_cli():
    """Database migrations (Alembic)."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision):
    """Migrate the database to REVISION (default: the newest)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision):
    """Migrate the database back to REVISION (default: one step)."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("current")
def db_current():
    """Show the database's revision."""
    command.current(alembic_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message):
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)


@db_cli.command("check")
def db_check():
    """Fail if the models and the migrated database differ (a model changed without a migration)."""
    command.check(alembic_config())


@click.command("seed-demo")
@click.option(
    "--allow-production",
    is_flag=True,
    help="Load it even under QUEUE_ENV=production; its accounts must then change their published passwords.",
)
@with_appcontext
def seed_demo(allow_production):
    """Load the demo provincial centre (safe to run again)."""
    from flask import current_app

    from .config import PRODUCTION
    from .demo import load_demo

    production = current_app.config["QUEUE_ENV"] == PRODUCTION
    if production and not allow_production:
        raise click.ClickException(
            "QUEUE_ENV=production: the demo's accounts have published passwords. "
            "Run with --allow-production to load it anyway (its accounts must then change them)."
        )
    summary = load_demo(db.session, must_change_passwords=production)
    db.session.commit()
    click.echo(summary)


# A password is asked for when left out, so that it stays out of the shell's history and the
# process list.
password_option = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when left out, so that it stays out of the shell's history and the process list.",
)


@click.command("create-user")
@click.option("--username", required=True)
@password_option
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "officer", "postal_clerk"]))
@click.option("--site", "sites", multiple=True, help="Site code; repeat for several sites.")
@click.option("--full-name", default="")
def create_user(username, password, role, sites, full_name):
    """Create a member of staff."""
    from .auth.services import create_user as create
    from .errors import ApiError

    try:
        user = create(db.session, username, password, role, list(sites), full_name)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.username} (id {user.id}).")


@click.command("set-password")
@click.option("--username", required=True)
@password_option
@click.option("--temporary", is_flag=True, help="Its holder must change it at the next login.")
def set_password(username, password, temporary):
    """Give a member of staff a new password (e.g. the only admin's, forgotten); every session
    of the account ends."""
    from .auth.services import find_user
    from .auth.services import set_password as store
    from .errors import ApiError

    user = find_user(db.session, username)
    if user is None:
        raise click.ClickException(f"No user {username}.")
    try:
        store(db.session, user, password, chosen_by_holder=not temporary)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Password of {username} changed; its sessions have ended.")


@click.command("create-device-token")
@click.option("--kind", required=True, type=click.Choice(DeviceKind.ALL))
@click.option("--site", required=True, help="Site code")
@click.option("--counter", type=int, default=None, help="Counter number (for --kind counter or rating)")
@click.option("--name", default="", help="Where the device stands, e.g. 'Kiosk sảnh A'")
def create_device_token(kind, site, counter, name):
    """Issue a device token; it is printed once and only its hash is kept."""
    from .auth.services import issue_device_token
    from .errors import ApiError

    try:
        device, token = issue_device_token(db.session, kind, site, name, counter)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Device {device.id} ({kind} at {site}). Token, shown only now:")
    click.echo(token)


@click.command("revoke-device-token")
@click.argument("device_id", type=int)
def revoke_device_token(device_id):
    """Revoke a device token at once."""
    from .auth.models import DeviceToken
    from .auth.services import revoke_device_token as revoke

    device = db.session.get(DeviceToken, device_id)
    if device is None:
        raise click.ClickException(f"No device {device_id}.")
    revoke(device)
    db.session.commit()
    click.echo(f"Device {device_id} revoked.")


@click.command("import-procedures")
@click.option("--site", required=True, help="Site code")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_procedures(site, path):
    """Import the procedure catalogue from a CSV or XLSX file (all or nothing)."""
    from sqlalchemy import select

    from .dossiers.catalogue import import_procedures as run_import
    from .dossiers.catalogue import read_rows
    from .errors import ApiError
    from .sites.models import Site

    target = db.session.scalar(select(Site).where(Site.code == site))
    if target is None:
        raise click.ClickException(f"No site {site}.")
    try:
        report = run_import(db.session, target, read_rows(Path(path)))
    except ApiError as error:
        raise click.ClickException(error.message) from None
    if report.errors:
        db.session.rollback()
        raise click.ClickException("Nothing imported:\n" + "\n".join(report.errors))
    db.session.commit()
    click.echo(f"{report.created} procedures created, {report.updated} updated.")


@click.command("check-deadlines")
def check_deadlines():
    """Flag the dossiers about to be late to their supervisors (the server also does this)."""
    from .dossiers.watch import flag_due_soon

    codes = flag_due_soon(db.session)
    click.echo(f"Flagged {len(codes)} dossiers." + (f" {', '.join(codes)}" if codes else ""))


@click.command("build-report-days")
def build_report_days():
    """Roll up every ended day for the reports (run nightly; reports also work without it)."""
    from sqlalchemy import select

    from .reports.rollups import build_ended_days
    from .sites.models import Site

    for site in db.session.scalars(select(Site).order_by(Site.code)).all():
        built = build_ended_days(db.session, site)
        if built:
            click.echo(f"{site.code}: rolled up {built} days.")


@click.command("booking-sweep")
def booking_sweep():
    """Mark the bookings nobody checked in by the end of their grace as no-shows, freeing their
    slots (run from cron every few minutes; pages and reports also do it when they read them)."""
    from sqlalchemy import select

    from .booking.checkin import sweep
    from .sites.models import Site

    for site in db.session.scalars(select(Site).order_by(Site.code)).all():
        marked = sweep(db.session, site)
        if marked:
            click.echo(f"{site.code}: {marked} no-shows.")
    db.session.commit()


@click.command("purge-personal-data")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Say what would be removed (counts, oldest); change nothing.")
def purge_personal_data(dry_run):
    """Anonymise the personal data whose retention period is over (run nightly; safe to interrupt
    and to repeat). The periods are RETENTION_DOSSIER_DAYS, RETENTION_SCANS_DAYS,
    RETENTION_CLIENT_DAYS, RETENTION_BOOKING_DAYS, RETENTION_MESSAGE_DAYS and
    RETENTION_STATEMENT_DAYS (see queue_server/privacy/retention.py)."""
    from flask import current_app

    from .privacy import retention
    from .storage import current_storage

    periods = retention.Periods.from_config(current_app.config)
    if dry_run:
        for due in retention.plan(db.session, periods):
            oldest = f", the oldest from {due.oldest:%Y-%m-%d}" if due.oldest else ""
            kept = (
                "kept for good"
                if not getattr(periods, due.kind)
                else f"after {getattr(periods, due.kind)} days"
            )
            if due.kind in retention.FOLLOWERS:
                kept += ", or with their dossier or booking"
            click.echo(f"{due.kind}: {due.count} to remove ({kept}{oldest}).")
        db.session.rollback()
        return
    counts = retention.purge(db.session, current_storage(), periods)
    click.echo(
        f"Anonymised {counts['dossiers']} dossiers; removed {counts['scans']} scans"
        f" ({counts['files']} files); cleared {counts['addresses']} client addresses."
        f" Emptied {counts['bookings']} bookings, {counts['messages']} messages,"
        f" {counts['subscriptions']} subscriptions and {counts['statements']} bank statement lines."
    )


def _run_worker(worker, wake, what: str, once: bool) -> None:
    """Run an outbox's worker (:class:`queue_server.outboxes.PollingWorker`) until SIGTERM or
    Ctrl-C (the row being sent is finished and recorded), or one round with ``once``."""
    import signal

    if once:
        click.echo(f"Handled {worker.run_once()} {what}.")
        return
    stop: list[int] = []

    def _stop(signum, _frame):
        stop.append(signum)
        wake.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(f"Sending {what} (SIGTERM to stop).")
    worker.run(lambda: bool(stop))
    click.echo("Stopped.")


@click.command("notify-worker")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
def notify_worker(once):
    """Send the notifications (run with NOTIFY_WORKER=off in the server; any number at once).
    Stops cleanly on SIGTERM or Ctrl-C: the message being sent is finished and recorded."""
    from flask import current_app

    from .notify.outbox import wake
    from .notify.worker import Worker

    _run_worker(Worker(current_app._get_current_object()), wake, "notifications", once)


@click.command("province-worker")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
def province_worker(once):
    """Send the dossier changes to the provincial system (run with PROVINCE_WORKER=off in the
    server; any number at once). Stops cleanly on SIGTERM or Ctrl-C."""
    from flask import current_app

    from .province.outbox import wake
    from .province.worker import Worker

    _run_worker(Worker(current_app._get_current_object()), wake, "messages to the province", once)


@click.command("province-import")
@click.argument("site_code")
@click.argument("path", type=click.File("rb"))
def province_import(site_code, path):
    """Import the dossiers the province received online (a JSON file: one dossier or a list,
    each as docs/province.md describes) into SITE_CODE, to be returned there; idempotent."""
    import json

    from .actors import Actor
    from .errors import ApiError
    from .province import operations
    from .sites.lookups import get_site

    site = get_site(db.session, site_code)
    try:
        items = json.load(path)
    except ValueError as error:
        raise click.ClickException(f"Not JSON: {error}") from None
    for item in items if isinstance(items, list) else [items]:
        try:
            dossier, created = operations.import_dossier(db.session, site, Actor(), item)
            db.session.commit()
        except ApiError as error:
            db.session.rollback()
            click.echo(
                f"{item.get('province_code') if isinstance(item, dict) else '?'}: {error.code}: {error}"
            )
            continue
        click.echo(
            f"{item['province_code']} -> {dossier.code} ({'imported' if created else 'already imported'})"
        )


def register_cli(app) -> None:
    for cmd in (
        db_cli,
        seed_demo,
        create_user,
        set_password,
        create_device_token,
        revoke_device_token,
        import_procedures,
        check_deadlines,
        build_report_days,
        booking_sweep,
        purge_personal_data,
        notify_worker,
        province_worker,
        province_import,
    ):
        app.cli.add_command(cmd)
