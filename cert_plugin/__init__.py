"""cert_plugin: certificates for Open edX and other Django LMSs.

Outside code uses :mod:`cert_plugin.api` (and the dataclasses of
:mod:`cert_plugin.data`); everything else is private to the app.
"""

__version__ = "0.1.0"
