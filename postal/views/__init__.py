"""The clerk's pages, one blueprint per task: :mod:`.shift` (login), :mod:`.intake` (taking
in dossiers and today's list), :mod:`.manifests` (bundles to the centres), :mod:`.inbox`
(return manifests and deliveries) and :mod:`.outbox` (what waits for the server).

Views are thin: they read the form, call :class:`~postal.store.Store` (which writes each record
and its outbox operation together), wake the sync loop and print. What the clerk typed wrong
comes back as a readable Vietnamese message in the page, with the form as it was. Each finds
the store, the settings and the loop through :func:`~postal.extension.current_postal`.
"""
