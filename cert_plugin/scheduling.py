"""The port through which the domain schedules background work; the task layer provides it.

The domain (``cert_plugin.api`` and the modules behind it) decides *that* a
task must run (render this certificate, run that job, announce an issue); the
task layer (:mod:`cert_plugin.jobs`, :mod:`cert_plugin.tasks`, the outbox relay)
decides *how*: after commit, in process or through the broker and the outbox.
So the domain imports only this module, and :mod:`cert_plugin.jobs` registers
itself here when it is imported (``AppConfig.ready`` imports it through the
receivers; a Celery worker through the tasks). The import graph then points one
way: task layer -> domain -> this port, never back (tests/unit/test_layering.py).

The calls are looked up on the provider at call time, so a test that replaces
``jobs.enqueue`` or ``jobs.enqueue_all`` sees the domain's work go through it.
This module imports nothing of the plugin and writes no models.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import Any, Protocol

__all__ = ["TaskSender", "enqueue", "enqueue_all", "provide", "publish"]

# Imported by name when work is scheduled before any provider registered (a script that never
# ran AppConfig.ready): a name, not an import, so the domain does not depend on the task layer.
_DEFAULT_PROVIDER = "cert_plugin.jobs"


class TaskSender(Protocol):
    """What the task layer offers the domain (:mod:`cert_plugin.jobs` implements it)."""

    def enqueue(self, task_name: str, *args: Any, using: str | None = None) -> None: ...

    def enqueue_all(self, tasks: Sequence[tuple[str, Sequence[Any]]], *,
                    using: str | None = None) -> None: ...

    def publish(self, task_name: str, args: Sequence[Any]) -> None: ...


_provider: TaskSender | None = None


def provide(sender: TaskSender) -> None:
    """Register the task layer's sender (called once, by :mod:`cert_plugin.jobs` on import)."""
    global _provider
    _provider = sender


def _sender() -> TaskSender:
    if _provider is None:
        import_module(_DEFAULT_PROVIDER)  # registers itself through provide()
    assert _provider is not None, f"{_DEFAULT_PROVIDER} did not register itself with cert_plugin.scheduling"
    return _provider


def enqueue(task_name: str, *args: Any, using: str | None = None) -> None:
    """Run task ``task_name(*args)`` after the current transaction commits (ids and key strings only)."""
    _sender().enqueue(task_name, *args, using=using)


def enqueue_all(tasks: Sequence[tuple[str, Sequence[Any]]], *, using: str | None = None) -> None:
    """:func:`enqueue` for several tasks that one change calls for, sent in this order."""
    _sender().enqueue_all(tasks, using=using)


def publish(task_name: str, args: Sequence[Any]) -> None:
    """Hand one task to the broker now (the outbox relay); raises what the broker's client raises."""
    _sender().publish(task_name, args)
