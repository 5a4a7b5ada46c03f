"""Machine-readable codes drawn as inline SVG: QR codes (tracking links, VietQR transfers) and
Code128 barcodes (dossier codes), for the printed forms and the pages alike.

Vector, so they stay sharp at any printer resolution and any screen size; one path of runs per
code, which keeps WeasyPrint's drawing fast.
"""

from __future__ import annotations

import qrcode
from barcode import Code128
from markupsafe import Markup


def runs(modules: str, y: int = 0, offset: int = 0) -> str:
    """SVG path commands for the runs of dark modules ("1") in one row, a rectangle per run:
    far fewer shapes than one per module, which keeps WeasyPrint's drawing fast."""
    commands, start = [], None
    for index, module in enumerate(modules + "0"):
        if module == "1" and start is None:
            start = index
        elif module != "1" and start is not None:
            length = index - start
            commands.append(f"M{offset + start} {y}h{length}v1h-{length}z")
            start = None
    return "".join(commands)


def qr_svg(data: str, css_class: str = "qr") -> Markup:
    """A QR code as inline SVG: vector, so it stays sharp at any printer resolution."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    path = "".join(runs("".join("1" if dark else "0" for dark in row), y) for y, row in enumerate(matrix))
    size = len(matrix)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {size} {size}"'
        f' shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}"/></svg>'
    )


def code128_svg(data: str) -> Markup:
    """A Code128 barcode (symbols encoded by python-barcode) as inline SVG, stretched to the
    height the template gives it."""
    modules = Code128(data).build()[0]
    quiet = 10
    width = len(modules) + 2 * quiet
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="barcode" viewBox="0 0 {width} 1"'
        f' preserveAspectRatio="none" shape-rendering="crispEdges">'
        f'<rect width="{width}" height="1" fill="#fff"/><path d="{runs(modules, offset=quiet)}"/></svg>'
    )
