"""Print jobs: kept on the server until the device's printer confirms them."""
