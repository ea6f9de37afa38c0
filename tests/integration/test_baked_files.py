"""Files that carry their proof (issue 15, part 3): every PDF and PNG of a certificate holds its
Open Badges 3.0 credential as a VC-JWT that verifies with the issuer's published keys.

The PDF embeds it as the PDF/A-3 associated file ``credential.jwt`` under the PAdES signature;
each PNG (both kept resolutions and the small copies) as an ``openbadgecredential`` iTXt chunk.
"""

from __future__ import annotations

import io

import pypdf
import pytest
from django.urls import reverse

from cert_plugin import api
from cert_plugin.credentials import baking, openbadges, pades
from devhost.lms.models import Profile
from tests.helpers import client_for, issued


@pytest.fixture
def earned(lms):
    return issued(lms)


def _credential(token: str | None) -> dict:
    assert token is not None
    return openbadges.verify_vc_jwt(token, api.issuer_jwks())


def _itxt_chunks(png: bytes) -> list[tuple[int, bytes]]:
    """``(index among the chunks, body)`` of each iTXt chunk, and the index of the first IDAT."""
    found, position, index = [], 8, 0
    while position < len(png):
        length = int.from_bytes(png[position:position + 4], "big")
        kind = png[position + 4:position + 8]
        body = png[position + 8:position + 8 + length]
        if kind in (b"iTXt", b"IDAT"):
            found.append((index, kind + b":" + body))
        position += 12 + length
        index += 1
    return found


def test_the_pdf_carries_the_credential_as_a_pdf_a3_associated_file(earned):
    _, _, certificate = earned

    content = api.render_pdf(certificate)

    credential = _credential(baking.pdf_credential(content))
    assert credential["id"] == openbadges.credential_id(certificate.verification_code)
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.status_index)
    root = pypdf.PdfReader(io.BytesIO(content)).trailer["/Root"]
    [spec] = [reference.get_object() for reference in root["/AF"]]
    assert spec["/UF"] == spec["/F"] == "credential.jwt"
    assert spec["/AFRelationship"] == "/Data"
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/application/vc+jwt"
    assert "/ModDate" in stream["/Params"]
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    assert names[0] == "credential.jwt"
    assert names[1].get_object() == spec


def test_the_pdf_stays_pdf_a3b_and_its_signature_covers_the_credential(earned, settings):
    _, _, certificate = earned

    content = api.render_pdf(certificate)

    document = pypdf.PdfReader(io.BytesIO(content))
    assert document.xmp_metadata is not None
    assert b'pdfaid:part="3"' in document.xmp_metadata.stream.get_data()
    config = settings.CERT_PLUGIN["PDF_SIGNING"]
    trust = pades.certificate_pem_from_pkcs12(config["PKCS12"], config["PASSPHRASE"])
    result = pades.validate_pdf_signature(content, trust_pem=trust)
    assert result["intact"]
    assert result["valid"]
    # The signature's byte range covers the whole file but its own hole, the credential included.
    token = baking.pdf_credential(content)
    start = content.rindex(b"/ByteRange")
    numbers = content[start:start + 80].split(b"[", 1)[1].split(b"]", 1)[0].split()
    first, length, second, rest = (int(number) for number in numbers)
    assert first == 0
    assert second + rest == len(content)
    assert token is not None
    rendered = content[:content.index(b"%%EOF") + 5]  # the PDF as rendered, before the signature's update
    assert len(rendered) <= length  # inside the signed range
    assert baking.pdf_credential(rendered) == token


@pytest.mark.parametrize("query", ["", "?dpi=300", "?width=600", "?width=1200"])
def test_every_png_is_baked_with_the_same_credential(earned, query):
    _, learner, certificate = earned
    pdf_token = baking.pdf_credential(api.render_pdf(certificate))

    response = client_for(learner).get(reverse("cert_plugin:download-png",
                                               args=[certificate.formatted_code]) + query)

    assert response.status_code == 200
    png = response.content
    assert baking.png_credential(png) == pdf_token
    chunks = _itxt_chunks(png)
    [(itxt_index, body)] = [chunk for chunk in chunks if chunk[1].startswith(b"iTXt:openbadgecredential\0")]
    first_idat = min(index for index, body in chunks if body.startswith(b"IDAT:"))
    assert itxt_index < first_idat  # before the image data, as Open Badges 3.0 says
    keyword, rest = body[len(b"iTXt:"):].split(b"\0", 1)
    assert keyword == b"openbadgecredential"
    assert rest[:2] == b"\0\0"  # compression flag 0: uncompressed
    assert rest[2:].split(b"\0", 2)[2].decode() == pdf_token


def test_the_png_chunk_is_read_by_pillow_as_itxt(earned):
    from PIL import Image

    _, _, certificate = earned
    png = api.render_png(certificate)

    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert image.text["openbadgecredential"] == baking.png_credential(png)  # CRCs checked by Pillow


def test_a_reissue_writes_files_with_the_new_credential(earned, settings):
    _, learner, certificate = earned
    first_pdf = baking.pdf_credential(api.render_pdf(certificate))
    first_png = baking.png_credential(api.render_png(certificate))
    assert first_pdf == first_png

    Profile.objects.filter(user=learner).update(full_name="Amelia N. Okafor")  # the name it will print
    reissued = api.reissue(certificate)
    assert reissued.revision == certificate.revision + 1
    assert reissued.learner_name == "Amelia N. Okafor"

    second_pdf = baking.pdf_credential(api.render_pdf(reissued))
    second_png = baking.png_credential(api.render_png(reissued, dpi=300))
    assert second_pdf == second_png == api.credential_jwt(reissued)
    assert second_pdf != first_pdf


def test_without_a_signing_key_the_files_carry_no_credential_and_still_render(lms, settings):
    settings.CERT_PLUGIN = {**settings.CERT_PLUGIN, "SIGNING_KEY": None, "P256_SIGNING_KEY": None}
    _, _, certificate = issued(lms)

    pdf = api.render_pdf(certificate)
    png = api.render_png(certificate)

    assert pdf.startswith(b"%PDF-")
    assert baking.pdf_credential(pdf) is None
    assert png.startswith(baking.PNG_SIGNATURE)
    assert baking.png_credential(png) is None
