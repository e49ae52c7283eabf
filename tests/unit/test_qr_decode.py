"""The test-support QR reader against segno's encoder: every mode, mask and version the learner page can produce
(error level M, versions 1–15), from the module grid and from scaled, offset PNG renderings."""

from __future__ import annotations

import io
import random
import string

import pytest
import segno
from PIL import Image

from tests.support.qr_decode import QrError, decode_grid, decode_png

RNG = random.Random(7)
ALPHABETS = {"byte": string.ascii_letters + "%:/?=.-_", "alnum": "ABCXYZ0123 $%*+-./:", "numeric": string.digits}


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
@pytest.mark.parametrize("mask", range(8))
def test_reads_segno_symbols_of_every_mask(alphabet: str, mask: int) -> None:
    for length in (1, 9, 40, 90, 150):
        text = "".join(RNG.choice(ALPHABETS[alphabet]) for _ in range(length))
        qr = segno.make_qr(text, error="m", boost_error=False, mask=mask)
        assert decode_grid([[bool(v) for v in row] for row in qr.matrix]) == text


@pytest.mark.parametrize("width", [180, 233, 250, 400])
def test_reads_a_scaled_offset_rendering(width: int) -> None:
    link = "openid-credential-offer://?credential_offer_uri=http%3A%2F%2Flocalhost%3A45678%2Fwallet%2Foffers%2FAbC"
    png = io.BytesIO()
    segno.make(link, error="m").save(png, kind="png", scale=5, border=4)
    symbol = Image.open(io.BytesIO(png.getvalue())).convert("L").resize((width, width), Image.Resampling.BILINEAR)
    canvas = Image.new("L", (width + 37, width + 20), 255)
    canvas.paste(symbol, (17, 9))
    out = io.BytesIO()
    canvas.save(out, "PNG")
    assert decode_png(out.getvalue()) == link


def test_refuses_what_it_cannot_read() -> None:
    blank = io.BytesIO()
    Image.new("L", (50, 50), 255).save(blank, "PNG")
    with pytest.raises(QrError):
        decode_png(blank.getvalue())
    high = segno.make_qr("level H", error="h", boost_error=False)
    with pytest.raises(QrError, match="level H"):
        decode_grid([[bool(v) for v in row] for row in high.matrix])
