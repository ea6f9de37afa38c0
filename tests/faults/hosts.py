"""A host adapter for fault tests: the demo LMS, with a fault run in the middle of a request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

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
