"""QR codes of survey short links, drawn by the ``qrcode`` library: SVG, and PNG through Pillow."""

import io

import qrcode
import qrcode.image.pil
import qrcode.image.svg


def qr_svg(text: str) -> bytes:
    """A standalone SVG image of ``text``: black modules on white, a quiet zone around them,
    medium error correction (still readable on a projected slide)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def qr_png(text: str, *, box_size: int = 10) -> bytes:
    """The same code as a PNG (Pillow), for slide tools and chats that do not take SVG."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        box_size=box_size,
        image_factory=qrcode.image.pil.PilImage,
    )
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()
