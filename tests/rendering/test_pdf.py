"""PDFs as a learner, a verifier and an attacker see them."""

from __future__ import annotations

import base64
import http.server
import io
import threading
import urllib.request
from collections.abc import Iterator

import pytest
import weasyprint.urls
from PIL import Image

from cert_plugin.rendering import pdf
from tests.rendering.conftest import BODY, CSS, ISSUED, captured, reader, render, text_of

A4_LANDSCAPE = (841.89, 595.28)


def page_size(data: bytes) -> tuple[float, float]:
    box = reader(data).pages[0].mediabox
    return float(box.width), float(box.height)


def png_bytes(size: tuple[int, int] = (120, 60), colour: str = "navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def image_xobjects(data: bytes) -> list[tuple[int, int]]:
    page = reader(data).pages[0]
    return [(image.image.width, image.image.height) for image in page.images]


# ------------------------------------------------------------------ page, metadata, text, size

def test_landscape_is_a4_landscape_with_one_page(landscape_pdf: bytes) -> None:
    assert len(reader(landscape_pdf).pages) == 1
    assert page_size(landscape_pdf) == pytest.approx(A4_LANDSCAPE, abs=1)


def test_portrait_is_a4_portrait_even_if_the_template_asks_for_another_size() -> None:
    data = render(css=CSS + "\n@page { size: letter landscape; margin: 3cm }", orientation="portrait")
    assert page_size(data) == pytest.approx(A4_LANDSCAPE[::-1], abs=1)


def test_metadata(landscape_pdf: bytes) -> None:
    meta = reader(landscape_pdf).metadata
    assert meta is not None
    assert meta.title == "Certificate: Python for Data Analysis"
    assert meta.author == "Northwind Academy"
    assert meta.subject == "Certificate of completion"
    assert meta["/Keywords"] == "certificate, Northwind"
    assert meta.creation_date is not None
    assert meta.creation_date.replace(tzinfo=ISSUED.tzinfo) == ISSUED.replace(second=0)


def test_text_has_name_course_and_code(landscape_pdf: bytes) -> None:
    text = text_of(landscape_pdf)
    for expected in ("Ada Lovelace", "Python for Data Analysis", "7K3M-9QXP-2D4F-8HJW", "24 November 2026"):
        assert expected in text


def test_archival_pdf_and_small(landscape_pdf: bytes) -> None:
    assert len(landscape_pdf) < 2 * 1024 * 1024
    document = reader(landscape_pdf)
    intents = [intent.get_object()["/S"] for intent in document.trailer["/Root"]["/OutputIntents"]]
    assert intents == ["/GTS_PDFA1"]  # the sRGB output intent of PDF/A
    xmp = document.xmp_metadata
    assert xmp is not None
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp.stream.get_data()


def test_an_attachment_is_a_pdf_a3_associated_file_and_the_pdf_stays_pdf_a3b() -> None:
    from cert_plugin.rendering.html import render_document

    document = render_document("<p>attached</p>", "", {}, orientation="landscape", title="t", author="a")
    data = pdf.render_pdf(document, attachments=[pdf.Attachment(
        name="credential.jwt", content=b"a.b.c", mime="application/vc+jwt", relationship="Data",
        description="The credential")])
    root = reader(data).trailer["/Root"]
    xmp = reader(data).xmp_metadata
    assert xmp is not None
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp.stream.get_data()
    assert [intent.get_object()["/S"] for intent in root["/OutputIntents"]] == ["/GTS_PDFA1"]
    [spec] = [reference.get_object() for reference in root["/AF"]]  # listed once in the catalog's /AF
    assert (spec["/Type"], spec["/F"], spec["/UF"], spec["/Desc"], spec["/AFRelationship"]) == (
        "/Filespec", "credential.jwt", "credential.jwt", "The credential", "/Data")
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Type"] == "/EmbeddedFile"
    assert stream["/Subtype"] == "/application/vc+jwt"  # the MIME type PDF/A-3 requires
    assert "/ModDate" in stream["/Params"]  # PDF/A-3 6.8: the embedded file's modification date
    assert stream.get_data() == b"a.b.c"
    names = root["/Names"]["/EmbeddedFiles"].get_object()["/Names"]
    assert names[0] == "credential.jwt"
    assert names[1].get_object() == spec


def test_plain_pdf_when_no_variant_is_asked() -> None:
    from cert_plugin.rendering.html import render_document

    document = render_document("<p>plain</p>", "", {}, orientation="portrait", title="t", author="a")
    data = pdf.render_pdf(document, pdf_variant=None)
    assert "/OutputIntents" not in reader(data).trailer["/Root"]
    assert "plain" in text_of(data)


# ------------------------------------------------------------------ names in every script

NAMES = ["محمد عبد الله", "יעל כהן", "王小明", "山田太郎"]


@pytest.fixture(scope="module")
def world_names() -> tuple[bytes, list[str]]:
    body = "<main>" + "".join(f"<h1>{name}</h1>" for name in NAMES) + "<p>{{ learner_name }}</p></main>"
    with captured() as messages:
        data = render(body, "h1 { font-family: Georgia, 'Times New Roman', serif; }", learner_name=NAMES[0])
    return data, messages


def test_rtl_and_cjk_names_extract_with_the_right_characters(world_names: tuple[bytes, list[str]]) -> None:
    text = text_of(world_names[0])
    for name in NAMES:
        assert name in text or name[::-1] in text or name.replace(" ", "") in text.replace(" ", "")


def test_rtl_and_cjk_names_use_real_glyphs(world_names: tuple[bytes, list[str]]) -> None:
    data, messages = world_names
    assert not [message for message in messages if "missing glyph" in message]
    fonts = {str(font["/BaseFont"]).split("+")[-1] for font in _fonts(data)}
    assert any("CJK" in font for font in fonts), fonts  # Han characters drawn with Noto CJK
    assert any("DejaVu" in font for font in fonts), fonts  # Arabic and Hebrew through DejaVu


def test_a_character_no_font_has_is_reported() -> None:
    """The detection the previous test relies on does fire for a real box (Linear B here)."""
    with captured() as messages:
        render("<p>{{ learner_name }}</p>", "", learner_name="\U00010000")
    assert any("missing glyph" in message and "U+10000" in message for message in messages)


def _fonts(data: bytes) -> list[dict]:  # type: ignore[type-arg]
    fonts = reader(data).pages[0]["/Resources"]["/Font"]
    return [fonts[name].get_object() for name in fonts]


# ------------------------------------------------------------------ assets and data: URIs

def test_asset_and_data_uri_images_are_embedded_at_their_own_resolution() -> None:
    inline = base64.b64encode(png_bytes((40, 30), "darkred")).decode()
    body = (f'<img src="{{{{ assets.logo }}}}" style="width:20mm"><img src="data:image/png;base64,{inline}">'
            '<p>{{ learner_name }}</p>')
    data = render(body, "", assets={"logo": pdf.Asset(png_bytes((300, 150)), "image/png")})
    assert sorted(image_xobjects(data)) == [(40, 30), (300, 150)]


def test_a_missing_asset_renders_without_it_and_is_logged() -> None:
    with captured() as messages:
        data = render('<img src="asset:seal"><p>{{ learner_name }}</p>', "")
    assert "Ada Lovelace" in text_of(data)
    assert any("missing asset 'seal'" in message for message in messages)


# ------------------------------------------------------------------ nothing is fetched

class _Counter(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png_bytes())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    handler = type("Counter", (_Counter,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def hostile_pdf(server: tuple[str, list[str]]) -> tuple[bytes, list[str]]:
    base, _requests = server
    body = f"""<link rel="stylesheet" href="{base}/sheet.css">
<link rel="attachment" href="{base}/attach.bin" title="remote">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<img src="{base}/img.png"><img src="file:///etc/passwd"><img src="/etc/passwd"><img src="relative.png">
<object data="{base}/object.png" type="image/png"></object><embed src="{base}/embed.png">
<svg width="10" height="10"><image href="{base}/svg.png" width="10" height="10"/></svg>
<p style="background: url('{base}/inline.png')">{{{{ learner_name }}}}</p>"""
    css = f"""@import url("{base}/import.css");
@font-face {{ font-family: Remote; src: url("{base}/font.woff2"); }}
body {{ background-image: url("{base}/bg.png"); font-family: Remote, serif; }}
h1 {{ list-style-image: url("file:///etc/passwd"); }}"""
    with captured() as messages:
        data = render(body, css)
    urllib.request.urlopen(f"{base}/probe", timeout=5).close()  # the counter does count
    return data, messages


def test_remote_references_make_no_request_and_the_pdf_still_renders(
        hostile_pdf: tuple[bytes, list[str]], server: tuple[str, list[str]]) -> None:
    data, messages = hostile_pdf
    assert server[1] == ["/probe"]
    assert "Ada Lovelace" in text_of(data)
    assert sum("Refused to fetch" in message for message in messages) >= 8


def test_local_files_never_end_up_in_the_pdf(hostile_pdf: tuple[bytes, list[str]]) -> None:
    data, _messages = hostile_pdf
    document = reader(data)
    assert document.attachments == {}
    assert "/EmbeddedFiles" not in str(document.trailer["/Root"].get("/Names", {}))
    assert "root:" not in text_of(data)
    assert image_xobjects(data) == []


def test_base_element_cannot_reopen_the_network(server: tuple[str, list[str]]) -> None:
    base, requests = server
    before = len(requests)
    render(f'<base href="{base}/"><img src="logo.png"><p>{{{{ learner_name }}}}</p>', "")
    assert len(requests) == before


def test_an_unavailable_pdf_variant_falls_back_to_a_plain_pdf() -> None:
    from cert_plugin.rendering.html import render_document

    with captured() as messages:
        document = render_document("<p>x</p>", "", {}, orientation="portrait", title="t", author="a")
        data = pdf.render_pdf(document, pdf_variant="pdf/z-9")
    assert "x" in text_of(data)
    assert any("writing a plain PDF instead" in message for message in messages)


def test_render_failure_becomes_render_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> bytes:
        raise ValueError("boom")

    monkeypatch.setattr(pdf, "_write", explode)
    with pytest.raises(pdf.RenderError, match="boom"):
        render(BODY, CSS)


@pytest.mark.skipif(not hasattr(weasyprint.urls, "FatalURLFetchingError"),
                    reason="WeasyPrint < 68 (the platform's pins) has no fatal fetching error")
def test_a_fatal_fetching_error_becomes_render_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint 68's FatalURLFetchingError is a BaseException: it must not escape to the caller."""
    def explode(*args: object, **kwargs: object) -> bytes:
        raise weasyprint.urls.FatalURLFetchingError("boom")

    monkeypatch.setattr(pdf, "_write", explode)
    with pytest.raises(pdf.RenderError, match="boom"):
        render(BODY, CSS)


# ------------------------------------------------------------------ the fetcher in WeasyPrint's own API

def test_the_fetcher_speaks_the_installed_weasyprints_api() -> None:
    """Through WeasyPrint's own fetch(): the sandbox answers data: and assets, refuses the rest.

    The fetcher API changed in WeasyPrint 68 (a dict-returning function before, a URLFetcher
    object after); this runs on whichever is installed (``make test`` and ``make
    test-openedx-pins`` run one each).
    """
    sandbox = pdf._Sandbox({"seal": pdf.Asset(b"\x89PNG-bytes", "image/png")})
    fetcher = pdf._fetcher(sandbox)

    def fetched(url: str) -> tuple[bytes, str]:
        with weasyprint.urls.fetch(fetcher, url) as result:
            if isinstance(result, dict):  # WeasyPrint < 68
                body = result["string"] if "string" in result else result["file_obj"].read()
                return body, result["mime_type"]
            return result.read(), result.content_type

    assert fetched("asset:seal") == (b"\x89PNG-bytes", "image/png")
    assert fetched("data:text/css;charset=utf-8,p%7Bcolor:red%7D") == (b"p{color:red}", "text/css")
    for url in ("http://127.0.0.1:1/x.png", "file:///etc/passwd", "asset:missing", "ftp://example.com/f"):
        with pytest.raises(weasyprint.urls.URLFetchingError):
            fetched(url)
    assert sandbox.refused == ["http://127.0.0.1:1/x.png", "file:///etc/passwd", "asset:missing",
                               "ftp://example.com/f"]
