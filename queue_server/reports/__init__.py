"""Reports for centre managers: queue, counters and officers, dossiers, satisfaction."""
