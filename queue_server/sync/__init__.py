"""Synchronisation with clients that work offline (the post-office client)."""
