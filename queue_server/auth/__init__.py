"""Staff accounts, roles, device tokens and the permission rules."""
