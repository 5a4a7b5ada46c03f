"""Tickets: numbering, calling, transfers, and the event log behind the live screens."""
