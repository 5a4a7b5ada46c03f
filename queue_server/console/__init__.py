"""The officer's counter console."""
