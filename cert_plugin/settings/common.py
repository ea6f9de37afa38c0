"""Defaults merged into every Open edX environment."""

from typing import Any


def plugin_settings(settings: Any) -> None:
    """Give CERT_PLUGIN a home; keys the operator already set win."""
    settings.CERT_PLUGIN = {**getattr(settings, "CERT_PLUGIN", {})}
    settings.CERT_PLUGIN.setdefault("HOST", "cert_plugin.host.openedx.OpenEdxHost")
    lms_root = getattr(settings, "LMS_ROOT_URL", "")
    if lms_root:
        settings.CERT_PLUGIN.setdefault("BASE_URL", lms_root)
    platform = getattr(settings, "PLATFORM_NAME", "")
    if platform and isinstance(platform, str):
        settings.CERT_PLUGIN.setdefault("ISSUER_NAME", platform)
    _add_middleware(settings, "cert_plugin.middleware.DatabaseUnavailableMiddleware")


def _add_middleware(settings: Any, path: str) -> None:
    """Append ``path`` to the host's MIDDLEWARE (innermost, so it sees our views' exceptions first).

    It acts only on requests resolved into the ``cert_plugin`` URL namespace.
    """
    middleware = getattr(settings, "MIDDLEWARE", None)
    if isinstance(middleware, list | tuple) and path not in middleware:
        settings.MIDDLEWARE = [*middleware, path]
