"""PAdES signature of a rendered certificate PDF, with pyHanko.

The signature is an invisible approval signature (PAdES baseline B-B, subfilter
``ETSI.CAdES.detached``) added as an incremental update: the bytes WeasyPrint wrote, PDF/A
identification included, stay exactly as they were, and any PDF reader shows who signed the file
and whether it changed since.

With a timestamp authority configured (``PDF_SIGNING["TSA_URL"]``), the signature also carries an
RFC 3161 signature timestamp (PAdES B-T): a third party's word on when it was made, which stays
meaningful after the signing certificate expires. A TSA that cannot be reached or answers nonsense
makes the signing fail with :class:`PdfSigningError`, like a broken PKCS#12 file: the render is
recorded as failed and retried later, rather than a file without the promised timestamp being
stored for good.

pyHanko's synchronous entry points wrap its async API in ``asyncio.run``, which fails on a thread
that already runs an event loop; :func:`_run` calls the async API itself and, on such a thread,
runs it on a short-lived worker thread instead, so both a plain Django request and async code can
call :func:`sign_pdf`.

PDF/A: pyHanko would, by default, raise the declared version to PDF 2.0 for an ECDSA P-256 key
(ISO 32002) and rewrite the XMP packet with a ``pdf:Producer`` that no longer matches the info
dictionary's ``/Producer``; both break a PDF/A-1/2/3 file (those parts are PDF 1.x, and
ISO 19005 requires the info dictionary and XMP to agree). For a document that declares one of
those parts, :class:`_PdfAPreservingWriter` leaves the version and the metadata exactly as
WeasyPrint wrote them; the signature itself (PAdES with ECDSA in PDF 1.7 via the ESIC extension) is
what the PDF/A-3 signature rules expect.

The signer (key and certificate) is loaded once per PKCS#12 file, passphrase and modification
time, and the private key is kept parsed: re-reading it costs more than the signature itself
(FIELD-NOTES, "Raster, QR, signing").
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import re
from collections.abc import Coroutine
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, PSS, PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata import xmp_xml
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from cert_plugin.credentials.errors import PdfSigningError

__all__ = [
    "SIGNATURE_FIELD",
    "PdfSigningError",
    "certificate_pem_from_pkcs12",
    "sign_pdf",
    "signature_status",
    "validate_pdf_signature",
]

SIGNATURE_FIELD = "CertificateSignature"
# XMP namespace of the PDF/A identification schema (ISO 19005: pdfaid:part, pdfaid:conformance).
_PDFAID_NS = "http://www.aiim.org/pdfa/ns/id/"
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")

# How long a timestamp authority may take to answer, in seconds (the render waits for it).
_TSA_TIMEOUT = 10

_T = TypeVar("_T")


# ------------------------------------------------------------------------------------------ signing


def sign_pdf(
    pdf: bytes,
    *,
    pkcs12_path: str,
    passphrase: str | bytes | None,
    signer_name: str = "",
    reason: str = "Certificate issued",
    location: str = "",
    tsa_url: str | None = None,
) -> bytes:
    """Return ``pdf`` with a PAdES signature appended by the key in a PKCS#12 file.

    The signature goes into an invisible field named ``CertificateSignature`` (or
    ``CertificateSignature2``... when the PDF already has one). With ``tsa_url``, the signature
    carries a timestamp from that RFC 3161 timestamp authority. Raises :class:`PdfSigningError` for
    a missing or unreadable PKCS#12 file, a wrong passphrase, bytes that are not a PDF, or a
    timestamp authority that does not answer (within 10 seconds) with a timestamp.
    """
    signer = _signer_for(pkcs12_path, passphrase)
    reserved = signer.reserved_room.get(tsa_url or "")
    try:
        signed = _sign(pdf, signer, reserved, tsa_url, name=signer_name, reason=reason, location=location)
    except _OutOfRoom:  # a timestamp grew past the room measured earlier (a renewed TSA certificate)
        reserved = None
        signed = _sign(pdf, signer, reserved, tsa_url, name=signer_name, reason=reason, location=location)
    if reserved is None:
        measured = _reserved_size(signed, len(pdf))
        if measured is not None:
            signer.reserved_room[tsa_url or ""] = measured
    return signed


class _OutOfRoom(Exception):
    """The signature did not fit the room reserved for it from an earlier measurement."""


def _sign(pdf: bytes, signer: _LoadedKeySigner, reserved: int | None, tsa_url: str | None, *,
          name: str, reason: str, location: str) -> bytes:
    try:
        writer = _PdfAPreservingWriter(BytesIO(pdf), strict=False)
    except (PdfError, ValueError, TypeError, KeyError) as exc:
        raise PdfSigningError(f"cannot sign: the document is not a readable PDF ({exc})") from exc
    if writer.security_handler is not None:
        raise PdfSigningError("cannot sign: the PDF is encrypted")
    field_name = _free_field_name(writer)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=name or None,
    )
    # A new client per signature: pyHanko's HTTP clients must not outlive the event loop of one
    # call (see _run), and the room measured once per TSA spares the size-estimating request.
    timestamper = HTTPTimeStamper(tsa_url, timeout=_TSA_TIMEOUT) if tsa_url else None
    pdf_signer = signers.PdfSigner(metadata, signer, timestamper=timestamper,
                                   new_field_spec=fields.SigFieldSpec(sig_field_name=field_name))
    output = BytesIO()
    try:
        _run(pdf_signer.async_sign_pdf(writer, output=output, bytes_reserved=reserved))
    except TimestampRequestError as exc:
        raise PdfSigningError(f"cannot sign: the timestamp authority {tsa_url} gave no timestamp "
                              f"({_reason(exc)}); check CERT_PLUGIN['PDF_SIGNING']['TSA_URL']") from exc
    except SigningError as exc:
        if reserved is not None and "larger than expected" in str(exc):
            raise _OutOfRoom from exc
        raise PdfSigningError(f"cannot sign the PDF: {exc}") from exc
    except (PdfError, ValueError, TypeError, KeyError) as exc:
        if tsa_url:  # most likely a reply that is not a timestamp response (asn1crypto's parse errors)
            raise PdfSigningError(f"cannot sign the PDF with a timestamp from {tsa_url}: {exc}") from exc
        if not isinstance(exc, PdfError | ValueError):
            raise
        raise PdfSigningError(f"cannot sign the PDF: {exc}") from exc
    return output.getvalue()


def _reason(exc: BaseException) -> str:
    """The message of an error and of the error it came from (pyHanko wraps the HTTP client's)."""
    cause = exc.__cause__
    return f"{exc}: {cause}" if cause is not None and str(cause) else str(exc)


def _reserved_size(signed: bytes, start: int) -> int | None:
    """The room pyHanko reserved for the CMS blob (hex digits between the two signed ranges).

    pyHanko sizes it with a dry-run signature each time unless told (with a timestamp authority,
    that dry run costs a request to it); the size depends only on the signer and the timestamp
    authority's certificates (no revocation data), so it is measured once per signer and TSA.
    """
    match = _BYTE_RANGE.search(signed, start)
    if match is None:
        return None
    _offset, first_length, second_offset, _length = (int(n) for n in match.groups())
    gap = second_offset - first_length - 2  # minus the "<" and ">" around the hex string
    return gap if gap > 0 else None


class _PdfAPreservingWriter(IncrementalPdfFileWriter):
    """An incremental writer that keeps a PDF/A-1/2/3 document's version and metadata untouched.

    Only for documents declaring one of those parts (see the module docstring); anything else is
    written the way pyHanko writes it.
    """

    pdfa_part: int | None = None  # read after the base class has parsed the document

    def __init__(self, input_stream: BytesIO, *, strict: bool) -> None:
        super().__init__(input_stream, strict=strict)
        self.pdfa_part = _pdfa_part(self)

    def ensure_output_version(self, version: tuple[int, int]) -> None:
        if self.pdfa_part in (1, 2, 3) and version >= (2, 0):
            return  # PDF/A-1/2/3 are PDF 1.x: the signature does not need 2.0 to be read
        super().ensure_output_version(version)

    def _update_meta(self) -> None:
        if self.pdfa_part in (1, 2, 3):
            return  # the info dictionary and XMP stay as written, so they still agree
        super()._update_meta()


def _pdfa_part(writer: IncrementalPdfFileWriter) -> int | None:
    """The PDF/A part a document declares in its XMP metadata, if any."""
    try:
        metadata = writer.root["/Metadata"]
    except KeyError:
        return None
    if not isinstance(metadata, xmp_xml.MetadataStream):
        return None
    try:
        for structure in metadata.xmp:
            for name, value in structure:
                if name.ns == _PDFAID_NS and name.local_name == "part":
                    return int(str(value.value).strip())
    except (ValueError, SyntaxError, PdfError):  # malformed XMP (ParseError is a SyntaxError)
        return None
    return None


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _value, _ref in fields.enumerate_sig_fields(writer.prev)}
    name, n = SIGNATURE_FIELD, 1
    while name in taken:
        n += 1
        name = f"{SIGNATURE_FIELD}{n}"
    return name


def _signer_for(pkcs12_path: str | os.PathLike[str], passphrase: str | bytes | None) -> _LoadedKeySigner:
    path = Path(pkcs12_path)
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise PdfSigningError(
            f"cannot sign: the PKCS#12 file {str(path)!r} cannot be read ({exc.strerror}); "
            "check CERT_PLUGIN['PDF_SIGNING']"
        ) from exc
    secret = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
    # The modification time is part of the key: replacing the file (a renewed certificate) is
    # picked up without a restart.
    return _load_signer(str(path.resolve()), secret or None, mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_signer(path: str, passphrase: bytes | None, mtime_ns: int) -> _LoadedKeySigner:
    """The pyHanko signer for a PKCS#12 file, loaded once (see :func:`_signer_for` for the key)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PdfSigningError(
            f"cannot sign: the PKCS#12 file {path!r} cannot be read ({exc.strerror})"
        ) from exc
    # Read with cryptography itself: pyHanko's loader changed between releases (0.26, the Open edX
    # pins, has only SimpleSigner.load_pkcs12, which logs and returns None on failure).
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, passphrase)
    except (ValueError, TypeError) as exc:
        raise PdfSigningError(
            f"cannot sign: the PKCS#12 file {path!r} could not be opened: wrong passphrase, "
            "or not a PKCS#12 file with a private key and certificate"
        ) from exc
    if key is None or certificate is None:
        raise PdfSigningError(
            f"cannot sign: the PKCS#12 file {path!r} holds no private key and certificate"
        )
    key_info = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    registry = SimpleCertificateStore.from_certs([_asn1_certificate(c) for c in others])
    return _LoadedKeySigner(_asn1_certificate(certificate), key_info, registry, key)


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


class _LoadedKeySigner(signers.SimpleSigner):
    """A :class:`~pyhanko.sign.signers.SimpleSigner` that keeps its private key parsed.

    pyHanko's ``SimpleSigner.sign_raw`` parses the DER key on every signature; this subclass
    signs with the key object loaded once. Mechanisms it does not know go back to pyHanko.
    """

    def __init__(self, certificate: asn1_x509.Certificate, key_info: asn1_keys.PrivateKeyInfo,
                 registry: SimpleCertificateStore, private_key: Any) -> None:
        super().__init__(signing_cert=certificate, signing_key=key_info, cert_registry=registry)
        self._private_key = private_key
        # Room for the CMS blob in the PDF, measured on the first signature without a timestamp
        # ("") and with each timestamp authority's URL (see _reserved_size).
        self.reserved_room: dict[str, int] = {}

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism_spec = self.get_signature_mechanism_for_digest(digest_algorithm)
        mechanism = mechanism_spec["algorithm"].native
        key = self._private_key
        if mechanism == "ecdsa" or mechanism.endswith("_ecdsa"):
            if isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(_hash(digest_algorithm)))
        elif mechanism == "rsassa_pkcs1v15" or mechanism.endswith("_rsa"):
            if isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), _hash(digest_algorithm))
        elif mechanism == "rsassa_pss":
            if isinstance(key, RSAPrivateKey):
                return key.sign(data, *_pss(mechanism_spec["parameters"]))
        elif mechanism in ("ed25519", "ed448") and isinstance(key, Ed25519PrivateKey | Ed448PrivateKey):
            return key.sign(data)
        return super().sign_raw(data, digest_algorithm)


# The two helpers below are written here rather than imported: pyHanko moved them between
# releases (pyhanko.sign.general in 0.26, which the Open edX pins resolve to;
# pyhanko_certvalidator.util from certvalidator 0.28) and changed process_pss_params' signature.

def _hash(digest_algorithm: str) -> hashes.HashAlgorithm:
    """cryptography's hash for a CMS digest algorithm name (``sha256``, ``sha3_512``...)."""
    algorithm = getattr(hashes, digest_algorithm.upper(), None)
    if not (isinstance(algorithm, type) and issubclass(algorithm, hashes.HashAlgorithm)):
        raise SigningError(f"unsupported digest algorithm {digest_algorithm!r}")
    return algorithm()


def _pss(params: Any) -> tuple[PSS, hashes.HashAlgorithm]:
    """PSS padding and message digest from an asn1crypto ``RSASSAPSSParams`` (MGF1 only)."""
    mask = params["mask_gen_algorithm"]
    if mask["algorithm"].native != "mgf1":
        raise SigningError(f"unsupported PSS mask generation {mask['algorithm'].native!r}")
    digest = _hash(params["hash_algorithm"]["algorithm"].native)
    mgf_digest = _hash(mask["parameters"]["algorithm"].native)
    return PSS(mgf=MGF1(mgf_digest), salt_length=params["salt_length"].native), digest


def certificate_pem_from_pkcs12(pkcs12_path: str | os.PathLike[str], passphrase: str | bytes | None) -> str:
    """The signer's certificate from a PKCS#12 file, as PEM (to trust in tests and the demo)."""
    signer = _signer_for(pkcs12_path, passphrase)
    assert signer.signing_cert is not None  # _load_signer refuses files without one
    certificate = x509.load_der_x509_certificate(signer.signing_cert.dump())
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


# --------------------------------------------------------------------------------------- validation


def validate_pdf_signature(pdf: bytes, *, trust_pem: str | None = None) -> dict[str, Any]:
    """Check the last signature of a PDF with pyHanko's validator.

    Returns ``{"signed", "intact", "valid", "trusted", "signer", "signed_at", "timestamp",
    "modified"}``:

    - ``intact``: the signed bytes hash to the value in the signature;
    - ``valid``: the signature over that hash verifies with the signer's certificate;
    - ``trusted``: the certificate chains to ``trust_pem`` (PEM, one or more certificates; with
      ``None`` nothing is trusted, so ``trusted`` is ``False``);
    - ``modified``: the file was changed after signing by more than signature bookkeeping
      (an intact signature over an older revision with new content appended after it).

    ``signer`` is the certificate's common name and ``signed_at`` the signing time the signer
    reported (or its timestamp token's time, when there is one). ``timestamp`` is the time in the
    signature's RFC 3161 timestamp token (PAdES B-T), or ``None`` when it carries none; it says
    nothing of whether the timestamp authority is trusted. When a signature is present but
    cannot be evaluated at all (a garbled signature container), the flags stay ``False`` and
    ``"error"`` says why. A PDF that cannot be read at all, or a ``trust_pem`` that is not a
    certificate, raises :class:`PdfSigningError`.
    """
    result: dict[str, Any] = {
        "signed": False,
        "intact": False,
        "valid": False,
        "trusted": False,
        "signer": "",
        "signed_at": None,
        "timestamp": None,
        "modified": False,
    }
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfError, ValueError, TypeError, KeyError) as exc:
        raise PdfSigningError(f"not a readable PDF ({exc})") from exc
    if not signatures:
        return result
    embedded = signatures[-1]
    result["signed"] = True
    try:
        roots = _certificates_from_pem(trust_pem) if trust_pem else []
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        status = _run(_validate(embedded, context, _key_usage_for(embedded, roots)))
    except (SignatureValidationError, PdfError, ValueError, KeyError) as exc:
        # The signature is there but cannot even be evaluated (garbled CMS, broken byte range).
        result["signer"] = _signer_of(embedded)
        result["error"] = str(exc)
        return result
    timestamp = status.timestamp_validity
    result.update(
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        signer=_common_name(status.signing_cert),
        signed_at=timestamp.timestamp if timestamp is not None else status.signer_reported_dt,
        timestamp=timestamp.timestamp if timestamp is not None else None,
        modified=_modified_after_signing(status),
    )
    return result


def signature_status(pdf: bytes, *, certificate_pem: str | None) -> str:
    """Whether a file is a certificate PDF exactly as the institution signed it: a one-word answer.

    - ``"absent"``: no signature is found. That includes bytes that are not a readable PDF at all
      (random bytes, an empty or truncated file) unless they contain a signature dictionary's
      ``/ByteRange``;
    - ``"valid"``: the last signature covers the whole file (nothing, not even one byte, follows
      the signed revision), the signed bytes are unchanged, the signature verifies, and the signer
      certificate is ``certificate_pem`` (with ``None``, any such signature is valid);
    - ``"invalid"``: anything else: changed bytes, an update or bytes appended after signing,
      another signer, or a signature dictionary in a file too broken to evaluate it.

    Meant for a public endpoint: it never raises on whatever bytes it is given, makes no network
    request (no revocation or certificate fetching) and skips the difference analysis of later
    revisions (any later revision already makes it ``"invalid"``). A ``certificate_pem`` that is
    not a PEM certificate is the installation's error and raises :class:`PdfSigningError`.
    """
    expected = _certificates_from_pem(certificate_pem)[0].dump() if certificate_pem else None
    # The parser and validator meet arbitrary bytes here; what they raise on a malformed file is
    # not a documented set (PdfError, ValueError, KeyError, IndexError, zlib.error, asn1crypto's
    # TypeError...), and every failure means the same thing: the file cannot be confirmed.
    try:
        signatures = PdfFileReader(BytesIO(pdf), strict=False).embedded_regular_signatures
    except Exception:  # noqa: BLE001  (see above)
        signatures = []
    if not signatures:
        return "invalid" if _BYTE_RANGE.search(pdf) else "absent"
    embedded = signatures[-1]
    try:
        if expected is not None and embedded.signer_cert.dump() != expected:
            return "invalid"
        context = ValidationContext(trust_roots=[], allow_fetching=False, revocation_mode="soft-fail")
        status = _run(_validate(embedded, context, None, skip_diff=True))
    except Exception:  # noqa: BLE001  (see above)
        return "invalid"
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return "valid" if whole and status.intact and status.valid else "invalid"


def _key_usage_for(embedded: EmbeddedPdfSignature,
                   roots: list[asn1_x509.Certificate]) -> KeyUsageConstraints | None:
    """No key usage demanded of a signer certificate that is itself trusted; else pyHanko's default.

    pyHanko from 0.27 on trusts a signer certificate that the verifier trusts directly whatever its
    key usage extension says; 0.26 (the Open edX pins) still demanded ``non_repudiation``, so an
    installer's plain self-signed certificate read "untrusted" there. Both now answer the same.
    """
    signer = embedded.signer_cert.dump()
    if any(root.dump() == signer for root in roots):
        return KeyUsageConstraints(key_usage=set())
    return None


async def _validate(embedded: EmbeddedPdfSignature, context: ValidationContext,
                    key_usage: KeyUsageConstraints | None, *, skip_diff: bool = False) -> PdfSignatureStatus:
    try:
        return await async_validate_pdf_signature(embedded, signer_validation_context=context,
                                                  key_usage_settings=key_usage, skip_diff=skip_diff)
    finally:
        # Releases the fetchers' HTTP sessions; certvalidator 0.26 (the Open edX pins) has no
        # aclose, and with allow_fetching=False it opens none.
        aclose = getattr(context, "aclose", None)
        if aclose is not None:
            await aclose()


def _modified_after_signing(status: PdfSignatureStatus) -> bool:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return False
    level = status.modification_level
    return level is None or level not in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


def _certificates_from_pem(pem: str) -> list[asn1_x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise PdfSigningError(f"the certificate to trust is not a PEM X.509 certificate ({exc})") from exc
    return [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certificates
    ]


def _signer_of(embedded: EmbeddedPdfSignature) -> str:
    try:
        return _common_name(embedded.signer_cert)
    except (ValueError, KeyError, AttributeError):
        return ""


def _common_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    return str(subject.get("common_name") or certificate.subject.human_friendly)


# ------------------------------------------------------------------------------------ async bridge


def _run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run a pyHanko coroutine to completion from synchronous code, whatever thread this is."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    # Called from a thread that runs an event loop (async code calling us directly): asyncio.run
    # would refuse, and blocking that loop is the caller's choice; run on a fresh loop elsewhere.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="cert-plugin-pades") as pool:
        return pool.submit(asyncio.run, coroutine).result()

