"""Defaults merged into every Open edX environment (``add_plugins(..., SettingsType.COMMON)``).

The platform calls this while its settings module is still being imported:
no app registry, no translations. So nothing here may force a lazy object
(``PLATFORM_NAME`` is a ``gettext_lazy`` proxy: even ``bool()`` or ``str()``
on it raises ``AppRegistryNotReady``), and nothing here copies one setting
into another: a later settings layer (the operator's YAML, Tutor's patches,
which come after every plugin) may replace ``CERT_PLUGIN`` or change
``LMS_ROOT_URL``/``PLATFORM_NAME``. ``BASE_URL`` and ``ISSUER_NAME`` default to
those two *at run time*, in :func:`cert_plugin.conf.get`.
"""

from typing import Any


def plugin_settings(settings: Any) -> None:
    """Give CERT_PLUGIN a home (so a later layer may set single keys); add our middleware."""
    if getattr(settings, "CERT_PLUGIN", None) is None:
        settings.CERT_PLUGIN = {}
    _add_middleware(settings, "cert_plugin.middleware.DatabaseUnavailableMiddleware")


def _add_middleware(settings: Any, path: str) -> None:
    """Append ``path`` to the host's MIDDLEWARE (innermost, so it sees our views' exceptions first).

    It acts only on requests resolved into the ``cert_plugin`` URL namespace.
    """
    middleware = getattr(settings, "MIDDLEWARE", None)
    if isinstance(middleware, list | tuple) and path not in middleware:
        settings.MIDDLEWARE = [*middleware, path]
