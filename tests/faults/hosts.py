"""A host adapter for fault tests: the demo LMS, with a fault run in the middle of a request; and the
fault of a database that stops answering."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from django.db import connection

from devhost.lms.host import DevHost


class FaultyHost(DevHost):
    """The demo host; ``fault`` (armed by a test) runs once, as the plugin's next host call starts."""

    fault: ClassVar[Callable[[], None] | None] = None

    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if name.startswith("_") or not callable(attribute) or FaultyHost.fault is None:
            return attribute

        @functools.wraps(attribute)
        def call_with_fault(*args: Any, **kwargs: Any) -> Any:
            fault, FaultyHost.fault = FaultyHost.fault, None
            if fault is not None:
                fault()
            return attribute(*args, **kwargs)

        return call_with_fault


class Unreachable:
    """Close this thread's connection and point it where no database answers; ``restore`` undoes it."""

    def __init__(self):
        self.saved = dict(connection.settings_dict)

    def __call__(self) -> None:
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent/cert-plugin/db.sqlite3"
        else:
            connection.settings_dict["PORT"] = "1"

    def restore(self) -> None:
        connection.close()
        connection.settings_dict.update(self.saved)
