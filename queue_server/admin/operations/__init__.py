"""Changing how a site is set up: one module per thing set up (the way Indico splits
``rb/operations``): :mod:`.sites` (settings, opening hours), :mod:`.departments`,
:mod:`.services`, :mod:`.counters`, :mod:`.schedules` (a counter's rules), :mod:`.rotations`,
:mod:`.duties` (officers' duties), :mod:`.users` (staff accounts), :mod:`.devices`,
:mod:`.channels` (notification channels) and :mod:`.messages` (message wording); when a
rule or a duty holds is :mod:`.days`, and what they all share is :mod:`.common`. Together, the
only place for the rules of that configuration. Callers import the entity module they need;
nothing is re-exported here.

Each function takes plain values (already typed by :mod:`queue_server.admin.schemas`), checks
them against the site's other rows (a code or a counter number used twice, overlapping number
ranges, a row still referenced), changes the rows, flushes and logs one line; the caller commits.
Nothing is ever half-checked: values are validated before any row changes, so a refusal leaves
nothing to flush. Configuration changes announce ``site.configured`` after commit (the
derived-figures cache drops what it remembered); the audit trail records every change by itself
(:mod:`queue_server.audit.recorder`). Who may call what is decided in
:mod:`queue_server.auth.access`. How the rows are shown is :mod:`queue_server.admin.presenters`.
"""
