"""Reading scanned codes for pages and devices."""
