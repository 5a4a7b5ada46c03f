"""Citizens' personal data: who read it, how long it is kept, what the citizen is told, and
what an admin hands a citizen who asks for everything held about them.

What counts as personal data here (Law 91/2025/QH15 Điều 2: data that identifies a person or
helps to; Nghị định 356/2025 lists names, dates of birth, addresses, phone numbers, personal
identification and passport numbers among the basic kind, and images of identity papers among
the sensitive kind [summary]): a dossier's applicant (name, ID number, phone, address, e-mail),
its delivery address and free note, the name, ID number and authorisation of whoever collected
or received a result (its history), and its scans; an appointment's name, phone and ID number;
a notification's address and text, and a subscription's address (an e-mail, a phone, a
browser's push endpoint). Tickets carry none. Staff's addresses and
browsers in the logs are the staff's personal data, kept for a limited time too.

- :mod:`queue_server.audit.reads`: every read of a dossier's personal data is an audit event
  (who, when, from where, what); it is written below the dossiers, which record their reads.
- :mod:`.retention`: after the configured periods the personal fields are anonymised and the
  scans removed; the statistics stay.
- :mod:`.notice`: the short notice shown where personal data is taken in.
- :mod:`.subject`: everything held about one ID number, for the data subject's request.

The consent to be contacted (optional) is a dossier's own field, changed by
:func:`queue_server.dossiers.lifecycle.set_contact_consent`. The legal sources and how sure
each is are in ``docs/legal.md`` ("Personal data").
"""
