"""What the PAdES tests share: a signer (a PKCS#12 file and its certificate) and a real RFC 3161
timestamp authority, OpenSSL's ``ts -reply`` behind HTTP.

Its CA and signing certificate are made here with ``cryptography``; the server answers on
127.0.0.1 the way public TSAs do (a DER ``TimeStampResp``, content type
``application/timestamp-reply``). Two more paths misbehave on purpose: ``/garbage`` answers junk
with the right content type, ``/error`` an HTTP 500.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cert_plugin.credentials.keys import write_self_signed_pkcs12
from cert_plugin.credentials.pades import certificate_pem_from_pkcs12

PASSPHRASE = "correct horse battery staple"  # of the shared signer's PKCS#12 file


@pytest.fixture(scope="module")
def pkcs12_path(tmp_path_factory) -> str:
    """A PKCS#12 file with a self-signed signer, as an institution's PDF_SIGNING names."""
    path = tmp_path_factory.mktemp("pades") / "signer.p12"
    write_self_signed_pkcs12(path, common_name="Northwind Certificates", organization="Northwind Academy",
                             passphrase=PASSPHRASE)
    return str(path)


@pytest.fixture(scope="module")
def trust_pem(pkcs12_path) -> str:
    """The signer's certificate, for validating what it signed."""
    return certificate_pem_from_pkcs12(pkcs12_path, PASSPHRASE)


@dataclass
class TimestampAuthority:
    url: str  # where to POST a timestamp query (the TSA_URL setting)
    ca_pem: str  # the certificate the TSA's signing certificate chains to
    replies: list[int] = field(default_factory=list)  # HTTP status of every answer, in order


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=signing, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=not signing,
                         crl_sign=not signing, encipher_only=False, decipher_only=False)


def _tsa_certificates(directory: Path) -> str:
    """Write a TSA CA and a TSA signing certificate and key (PEM) into ``directory``; the CA's PEM."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Timestamp CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    tsa = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Timestamp Unit")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        # RFC 3161 2.3: exactly one key purpose, timeStamping, in a critical extension.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = ca.public_bytes(serialization.Encoding.PEM).decode("ascii")
    (directory / "ca.pem").write_text(ca_pem)
    (directory / "tsa.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    (directory / "tsa.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ca_pem


_TS_CONFIG = """\
[ tsa ]
default_tsa = test_tsa

[ test_tsa ]
dir = {directory}
serial = $dir/serial
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@pytest.fixture(scope="session")
def timestamp_authority(tmp_path_factory) -> Iterator[TimestampAuthority]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the openssl command is needed to run a timestamp authority (apt-get install openssl)")
    directory = tmp_path_factory.mktemp("tsa")
    ca_pem = _tsa_certificates(directory)
    config = directory / "openssl-ts.cnf"
    config.write_text(_TS_CONFIG.format(directory=directory))
    one_at_a_time = threading.Lock()  # openssl ts rewrites its serial file on every reply
    replies: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/garbage":
                self._answer(200, b"\x30\x03\x02\x01\x00 this is not a TimeStampResp")
            elif self.path == "/error":
                self._answer(500, b"", content_type="text/plain")
            else:
                self._answer(200, self._reply(query))

        def _reply(self, query: bytes) -> bytes:
            with one_at_a_time, tempfile.TemporaryDirectory(dir=directory) as work:
                (Path(work) / "query.tsq").write_bytes(query)
                subprocess.run(
                    [openssl, "ts", "-reply", "-config", str(config), "-queryfile", "query.tsq",
                     "-out", "reply.tsr"],
                    cwd=work, check=True, capture_output=True, timeout=30,
                )
                return (Path(work) / "reply.tsr").read_bytes()

        def _answer(self, status: int, body: bytes,
                    content_type: str = "application/timestamp-reply") -> None:
            replies.append(status)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest's output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="test-tsa", daemon=True)
    thread.start()
    try:
        yield TimestampAuthority(url=f"http://127.0.0.1:{server.server_port}/tsr", ca_pem=ca_pem,
                                 replies=replies)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
