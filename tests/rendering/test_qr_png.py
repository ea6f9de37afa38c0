"""The QR code on the page opens the verify URL; PNGs look like the PDF."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from cert_plugin.rendering.png import page_count, pdf_to_png, thumbnail
from cert_plugin.rendering.qr import qr_svg
from tests.rendering.conftest import VERIFY_URL, render


@pytest.fixture(scope="module")
def landscape_png(landscape_pdf: bytes) -> bytes:
    return pdf_to_png(landscape_pdf, dpi=150)


def test_qr_code_on_the_page_decodes_to_the_verify_url(landscape_png: bytes) -> None:
    image = Image.open(io.BytesIO(landscape_png))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [barcode.text for barcode in found] == [VERIFY_URL]


def test_png_is_a4_at_150_dpi(landscape_png: bytes) -> None:
    image = Image.open(io.BytesIO(landscape_png))
    assert image.format == "PNG"
    assert image.size[0] == pytest.approx(1754, abs=2)
    assert image.size[1] == pytest.approx(1240, abs=2)


def test_png_at_72_dpi_is_the_page_in_points(landscape_pdf: bytes) -> None:
    width, height = Image.open(io.BytesIO(pdf_to_png(landscape_pdf, dpi=72))).size
    assert (width, height) == (pytest.approx(842, abs=1), pytest.approx(595, abs=1))


@pytest.mark.parametrize("dpi", [72, 150, 300])
def test_png_says_its_resolution_so_it_prints_at_a4_size(landscape_pdf: bytes, dpi: int) -> None:
    image = Image.open(io.BytesIO(pdf_to_png(landscape_pdf, dpi=dpi)))
    assert image.info["dpi"] == (pytest.approx(dpi, abs=0.05), pytest.approx(dpi, abs=0.05))


def test_thumbnail_is_the_page_smaller_and_still_a4_when_printed(landscape_png: bytes) -> None:
    image = Image.open(io.BytesIO(thumbnail(landscape_png, width=600)))
    assert image.size == (600, pytest.approx(424, abs=1))
    assert image.size[0] / image.info["dpi"][0] == pytest.approx(11.69, abs=0.02)  # 297 mm
    assert len(thumbnail(landscape_png, width=600)) * 5 < len(landscape_png)


def test_thumbnail_never_scales_up(landscape_png: bytes) -> None:
    image = Image.open(io.BytesIO(thumbnail(landscape_png, width=5000)))
    assert image.size == Image.open(io.BytesIO(landscape_png)).size


@pytest.mark.parametrize("width", [0, -1, 600.0, True])
def test_thumbnail_width_must_be_a_whole_number_of_pixels(landscape_png: bytes, width: object) -> None:
    with pytest.raises(ValueError, match="width"):
        thumbnail(landscape_png, width=width)  # type: ignore[arg-type]


@pytest.mark.parametrize("dpi", [71, 601, 0, 150.0, True])
def test_dpi_out_of_range_is_refused(landscape_pdf: bytes, dpi: object) -> None:
    with pytest.raises(ValueError, match="dpi"):
        pdf_to_png(landscape_pdf, dpi=dpi)  # type: ignore[arg-type]


def test_qr_svg_is_inline_vector_markup_sized_by_css() -> None:
    svg = qr_svg("https://example.com/certs/verify/ABC/")
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg
    assert 'viewBox="0 0 ' in svg
    assert 'width="100%"' in svg
    assert "<path" in svg
    assert "<image" not in svg


def test_page_count_tells_a_template_that_overflows_one_page(landscape_pdf: bytes) -> None:
    assert page_count(landscape_pdf) == 1
    assert page_count(render("<p>{{ learner_name }}</p>" * 80, "p { font-size: 30pt }")) > 1
