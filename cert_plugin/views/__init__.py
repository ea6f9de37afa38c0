"""Thin views over :mod:`cert_plugin.api`: learner pages, staff pages, verification, downloads."""
