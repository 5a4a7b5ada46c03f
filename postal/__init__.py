"""The post-office clerk's client (bưu điện tiếp nhận hồ sơ): works offline, syncs when it can.

A commune post office takes in dossiers for a provincial centre, bundles them onto handover
manifests (bảng kê) and delivers the results the centre sends back. Its connection is often
down, so everything the clerk does is written to a local SQLite database first (:mod:`.store`)
together with an outbox operation; a background loop (:mod:`.sync`) pushes the outbox to
``/api/v1/postal/sync`` whenever the server answers. The clerk's pages (:mod:`.views`, put
together by :mod:`.app`) never wait for the server.

Run it with ``python -m postal --config postal.toml`` (see :mod:`.config`).
"""


class ClerkError(Exception):
    """What the clerk asked cannot be done; the message is Vietnamese and shown in the page."""
