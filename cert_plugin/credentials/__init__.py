"""Credentials: what makes an issued certificate checkable without trusting the web page.

- :mod:`~cert_plugin.credentials.signing`: Ed25519 signatures over a canonical JSON snapshot of a
  certificate (RFC 8785-compatible), with RFC 7638 key ids and public JWKs for publishing.
- :mod:`~cert_plugin.credentials.pades`: the optional PAdES signature of the rendered PDF (pyHanko).
- :mod:`~cert_plugin.credentials.keys`: generating and storing key material at set-up time.

Pure crypto: nothing here imports Django models or the ORM; ``cert_plugin.api`` reads the settings
and passes keys in.
"""
