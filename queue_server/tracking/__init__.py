"""The citizen's tracking page, opened from the QR code on the ticket."""
