"""Notifications to citizens: a transactional outbox and the channels that carry it.

A notification is written in the same transaction as the change that causes it
(:mod:`.outbox`, answering :data:`queue_server.events.committing`) and sent afterwards by a
worker (:mod:`.worker`) with retries and backoff. Channels (e-mail, Web Push, SMS brandname,
Zalo ZNS) share one interface (:mod:`.channels.base`) and are chosen per site.
"""
