"""The citizen's touch kiosk: choose a service, take a number, follow it by QR code."""
