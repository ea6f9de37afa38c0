"""Tutor plugin for cert_plugin (certificates for Open edX)."""

__version__ = "0.1.0"
