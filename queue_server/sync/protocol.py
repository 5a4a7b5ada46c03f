"""What the post-office client and the server agree on at ``/api/v1/postal/sync``: the kinds
of operation an outbox carries and how many go in one request.

Plain Python with no imports, so that the client (``postal/``), which runs alone on a clerk's
PC, writes its outbox with the same names the server applies (:mod:`.operations`).
"""

from __future__ import annotations


class OperationKind:
    """What an outbox operation does on the server."""

    RECEIVE = "dossier.receive"  # an intake (tiếp nhận), with the code the client allocated
    OPEN_MANIFEST = "manifest.open"  # a manifest to a centre, with its list (and closed)
    SCAN = "manifest.scan"  # one scan at the reception of a return manifest
    FINISH = "manifest.finish"  # the end of that reception
    DELIVER = "dossier.deliver"  # the result handed to the citizen
    UNDELIVER = "dossier.undeliver"  # a delivery that failed, with why
    EVALUATE = "dossier.evaluate"  # the citizen's evaluation given to the postman at the delivery
    ALL = (RECEIVE, OPEN_MANIFEST, SCAN, FINISH, DELIVER, UNDELIVER, EVALUATE)


# Operations in one request: a post office's day fits in a few batches, and one batch stays a
# short request (the client sends a refused batch again in halves).
MAX_BATCH = 200
