"""The audit trail as supervisors and admins read it: the audit entries, the queue's events and
the dossiers' history searched together, one Vietnamese sentence each.

It reads every domain's logs, so it sits above them all; what writes the entries is
:mod:`queue_server.audit`, at the bottom, which every domain calls.
"""
