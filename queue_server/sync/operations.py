"""Apply what an offline client did while it could not reach the server, exactly once.

The post-office client keeps an outbox of operations, each with an id it chose, and sends
them in order. :func:`apply_batch` applies each in its own transaction together with a
:class:`~.models.SyncOperation` row: if the server stops in the middle, the operations already
committed are remembered and the others were never applied; when the client sends the batch
again it gets the stored answers back for the first and a fresh application of the rest.
An operation refused for its content (a 4xx) is reported and not remembered, so that the
clerk can correct it; the operations after it are still tried.

An operation's id names one operation in the whole system, not one per device: it becomes the
``client_id`` of the dossier or manifest the operation makes, which is unique across all sites,
so that a retried intake finds its dossier whichever way it comes back. The stored answer (a
dossier's code and tracking link) belongs to the device that applied the operation: that device
gets it again, any other device sending the same id is refused (``operation_id_taken``) before
the operation is looked at, and learns nothing of it. A key of (device, id) would not do: a
second device of the same post office would then apply "its" operation, and the dossier's or
manifest's ``client_id`` would hand it the first device's dossier, or add its dossiers to the
first device's manifest. A device whose token is replaced is a new device: what the old token
applied stays on the server, and an answer it never received is not given to the new one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..actors import Actor
from ..auth.access import ManifestSide, require_dossier_step, require_manifest_side
from ..database import utcnow
from ..dossiers import lifecycle
from ..dossiers.presenters import track_url
from ..errors import ApiError, Conflict
from ..evaluations import operations as evaluations
from ..evaluations.models import EvaluationChannel
from ..manifests import operations as manifests
from ..manifests.models import Direction
from ..sites.lookups import get_site
from ..sites.models import Site
from ..timefmt import iso
from .models import SyncOperation
from .protocol import MAX_BATCH, OperationKind

# Dossiers listed by one manifest.open: a post office's bag of a day holds a few dozen; the
# bound keeps one operation a short transaction.
MAX_MANIFEST_DOSSIERS = 1000


def _receive(session: Session, post_office: Site, actor: Actor, op_id: str, body: dict) -> dict:
    centre = get_site(session, str(body.get("site")))
    procedure = lifecycle.get_procedure(session, centre, str(body.get("procedure")))
    data = {key: value for key, value in body.items() if key not in ("site", "procedure")}
    data["client_id"] = op_id
    dossier, _ = lifecycle.receive(session, centre, post_office, procedure, actor, data, channel="postal")
    return {
        "code": dossier.code,
        "status": dossier.status,
        "due_at": iso(dossier.due_at),
        "tracking_url": track_url(dossier),
    }


def _open_manifest(session: Session, post_office: Site, actor: Actor, op_id: str, body: dict) -> dict:
    manifest, _ = manifests.create(
        session,
        post_office,
        get_site(session, str(body.get("to_site"))),
        Direction.TO_CENTRE,
        actor,
        client_id=op_id,
        code=body.get("code"),
        created_at=lifecycle.parse_instant(body["created_at"], "created_at")
        if body.get("created_at")
        else None,
    )
    codes = body.get("dossiers") or []
    if not isinstance(codes, list) or len(codes) > MAX_MANIFEST_DOSSIERS:
        raise ApiError("invalid_body", f"dossiers must be a list of at most {MAX_MANIFEST_DOSSIERS} codes.")
    for code in codes:
        manifests.add(session, manifest, str(code))
    if body.get("close"):
        manifests.close(session, manifest)
    return {"code": manifest.code, "status": manifest.status, "items": len(manifest.items)}


def _scan(session: Session, post_office: Site, actor: Actor, op_id: str, body: dict) -> dict:
    manifest = manifests.get_by_code(session, str(body.get("manifest")))
    require_manifest_side(manifest, ManifestSide.RECIPIENT)
    when = lifecycle.parse_instant(body["at"], "at") if body.get("at") else None
    item = manifests.scan(session, manifest, str(body.get("code", "")), actor, now=when)
    if body.get("finish"):
        manifests.finish(session, manifest, actor, now=when)
    return {"manifest": manifest.code, "state": item.state if item else manifest.status}


def _finish(session: Session, post_office: Site, actor: Actor, op_id: str, body: dict) -> dict:
    manifest = manifests.get_by_code(session, str(body.get("manifest")))
    require_manifest_side(manifest, ManifestSide.RECIPIENT)
    when = lifecycle.parse_instant(body["at"], "at") if body.get("at") else None
    manifests.finish(session, manifest, actor, now=when)
    return {"manifest": manifest.code, "counts": manifests.summary(manifest)}


def _delivery(action: str):
    def apply(session: Session, post_office: Site, actor: Actor, op_id: str, body: dict) -> dict:
        dossier = lifecycle.get_by_code(session, str(body.get("dossier")))
        carrier = manifests.carrier_of(session, dossier)
        require_dossier_step(action, dossier, carrier.id if carrier is not None else None)
        data = {key: value for key, value in body.items() if key != "dossier"}
        lifecycle.apply(session, dossier, action, actor, data)
        return {"code": dossier.code, "status": dossier.status}

    return apply


def _evaluate(session: Session, post_office: Site, actor: Actor, op_id: str, body: dict) -> dict:
    """The citizen's answers the postman took at the delivery (evaluations/, channel ``post``),
    dated when they were given."""
    dossier = lifecycle.get_by_code(session, str(body.get("dossier")))
    carrier = manifests.carrier_of(session, dossier)
    require_dossier_step("evaluate", dossier, carrier.id if carrier is not None else None)
    when = lifecycle.parse_instant(body["at"], "at") if body.get("at") else None
    evaluation = evaluations.evaluate(
        session, dossier, body.get("answers") or {}, EvaluationChannel.POST, now=when
    )
    return {"code": dossier.code, "score": evaluation.score, "verdict": evaluation.verdict}


KINDS: dict[str, Callable[[Session, Site, Actor, str, dict], dict]] = {
    OperationKind.RECEIVE: _receive,
    OperationKind.OPEN_MANIFEST: _open_manifest,
    OperationKind.SCAN: _scan,
    OperationKind.FINISH: _finish,
    OperationKind.DELIVER: _delivery("deliver"),
    OperationKind.UNDELIVER: _delivery("undeliver"),
    OperationKind.EVALUATE: _evaluate,
}


def apply_one(session: Session, post_office: Site, actor: Actor, operation: dict) -> dict:
    """Apply one operation and commit, or return the answer stored when it was applied."""
    op_id, kind, body = operation.get("id"), operation.get("kind"), operation.get("body")
    if not isinstance(op_id, str) or not lifecycle.CLIENT_ID.match(op_id):
        return _refused(op_id, ApiError("invalid_id", "Each operation needs an id (8-40 letters or digits)."))
    done = session.get(SyncOperation, op_id)
    if done is not None:
        return _replayed(done, actor)
    if kind not in KINDS:
        return _refused(op_id, ApiError("unknown_kind", f"Unknown operation {kind!r}."))
    if not isinstance(body, dict):
        return _refused(op_id, ApiError("invalid_body", "The operation's body must be an object."))
    try:
        result = KINDS[kind](session, post_office, actor, op_id, body)
        session.add(
            SyncOperation(id=op_id, device_id=actor.device_id, kind=kind, applied_at=utcnow(), result=result)
        )
        session.commit()
    except ApiError as error:
        session.rollback()
        return _refused(op_id, error)
    except IntegrityError:
        # Another request applied the same operation at the same moment: answer from it.
        session.rollback()
        done = session.get(SyncOperation, op_id)
        if done is None:
            return _refused(op_id, Conflict("conflict", "The operation clashes with existing data."))
        return _replayed(done, actor)
    except (KeyError, TypeError, ValueError) as error:
        session.rollback()
        return _refused(op_id, ApiError("invalid_body", f"The operation's body is not valid: {error}."))
    return {"id": op_id, "ok": True, "result": result, "replayed": False}


def _replayed(done: SyncOperation, actor: Actor) -> dict:
    """The stored answer, to the device that applied the operation only."""
    if done.device_id is None or done.device_id != actor.device_id:
        return _refused(
            done.id, Conflict("operation_id_taken", "Another device already sent an operation with this id.")
        )
    return {"id": done.id, "ok": True, "result": done.result, "replayed": True}


def _refused(op_id, error: ApiError) -> dict:
    return {"id": op_id, "ok": False, "error": {"code": error.code, "message": error.message}}


def apply_batch(session: Session, post_office: Site, actor: Actor, operations: list) -> list[dict]:
    if len(operations) > MAX_BATCH:
        raise ApiError("batch_too_large", f"Send at most {MAX_BATCH} operations at a time.", 413)
    return [apply_one(session, post_office, actor, op if isinstance(op, dict) else {}) for op in operations]
