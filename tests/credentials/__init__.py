"""Tests of cert_plugin.credentials: signatures a third party can check without the web page."""
