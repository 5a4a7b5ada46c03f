"""Reading ESC/POS raster images (``GS v 0``) back out of a print job's bytes.

Used for the simulator's PNG preview and by tests that decode what was printed, QR code and
barcode included, the way a scanner would read the paper.
"""

from __future__ import annotations

from PIL import Image

GS_V_0 = b"\x1dv0"


def raster_blocks(data: bytes) -> list[Image.Image]:
    """Every ``GS v 0`` block in ``data``, as a 1-bit image (black = printed dot)."""
    images = []
    start = data.find(GS_V_0)
    while start != -1:
        header = data[start + 4 : start + 8]
        if len(header) < 4:
            break
        width_bytes = header[0] + header[1] * 256
        height = header[2] + header[3] * 256
        body = data[start + 8 : start + 8 + width_bytes * height]
        if len(body) < width_bytes * height:
            break  # a job cut off in the middle: keep what was complete
        block = Image.frombytes("1", (width_bytes * 8, height), bytes(b ^ 0xFF for b in body))
        images.append(block)
        start = data.find(GS_V_0, start + 8 + len(body))
    return images


def raster_image(data: bytes) -> Image.Image | None:
    """All raster blocks of a job stacked top to bottom, as printed on the paper."""
    blocks = raster_blocks(data)
    if not blocks:
        return None
    width = max(block.width for block in blocks)
    sheet = Image.new("1", (width, sum(block.height for block in blocks)), 1)
    top = 0
    for block in blocks:
        sheet.paste(block, (0, top))
        top += block.height
    return sheet
