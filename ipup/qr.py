"""QR codes of survey short links, drawn by the ``qrcode`` library as SVG (no image library)."""

import io

import qrcode
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
