"""Adapters to the host LMS. See :mod:`cert_plugin.host.base` for the port."""
