"""The rooms behind :mod:`cert_plugin.api`, one module per concern.

Outside code imports :mod:`cert_plugin.api`, never these modules. A room
imports the rooms it builds on (and :mod:`cert_plugin.domain.shared`) only by
their public names: a name with a leading underscore belongs to its room
alone (tests/unit/test_layering.py). docs/architecture.md maps the rooms.
"""
