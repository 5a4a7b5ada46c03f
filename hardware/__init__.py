"""Devices at kiosks, counters and post offices: printers, scanners, LED displays, keypads.

Each kind of device has one interface, one class per transport and a simulator, chosen by a
device string (``escpos+tcp://10.0.0.50:9100``, ``sim:///var/spool/kiosk``...), in the manner
of python-escpos.
"""
