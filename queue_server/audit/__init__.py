"""The audit log: who changed what, when, and from which address (written here; read by
:mod:`queue_server.trail`)."""
