"""Pages for supervisors and admins."""
