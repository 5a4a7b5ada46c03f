"""Hall screens and counter displays, with the spoken call in Vietnamese."""
