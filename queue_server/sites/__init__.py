"""Sites (centres, commune units, post offices), their departments, services and counters."""
