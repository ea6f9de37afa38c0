"""Boot one Open edX service with the plugin installed and report what an operator would see.

Run in a fresh interpreter by ``test_boot.py`` (never imported by the test
process): ``DJANGO_SETTINGS_MODULE`` names one of the stand-in settings modules
(``lms.envs.common``, ``lms.envs.production``, ``lms.envs.tutor.production``,
their ``cms`` twins), ``PYTHONPATH`` starts with ``tests/host/edx_platform_stubs``.
It does what a service does at start-up - ``django.setup()`` (settings import,
every app's ``ready()``), the system checks of ``manage.py check`` over the
URLconf - optionally ``migrate``, and prints one JSON object on stdout.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import weakref


def _connections(signal, func) -> list[str]:
    """The sender of every connection of ``func`` to ``signal`` (``"any"`` for none)."""
    found = []
    for lookup_key, ref, *_ in signal.receivers:
        target = ref() if isinstance(ref, weakref.ReferenceType) else ref
        if target is func:
            sender_id = lookup_key[1]
            found.append(_SENDER_NAMES.get(sender_id, "any" if sender_id == id(None) else str(sender_id)))
    return found


_SENDER_NAMES: dict[int, str] = {}


def main() -> None:
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse
    from django.utils.module_loading import import_string

    call_command("check")  # raises SystemCheckError (exit status 1) on any error, as manage.py check does
    if os.environ.get("OPENEDX_BOOT_MIGRATE"):
        call_command("migrate", verbosity=0)

    from cert_plugin import api, apps, conf, receivers

    report: dict = {"settings_module": os.environ["DJANGO_SETTINGS_MODULE"]}
    try:
        report["verify_form_url"] = reverse("cert_plugin:verify-form")
    except NoReverseMatch:
        report["verify_form_url"] = None
    try:
        match = resolve("/certs/verify/")
        report["resolved"] = {"namespace": match.namespace, "url_name": match.url_name}
    except Resolver404:
        report["resolved"] = None

    for spec in apps._RECEIVERS:
        if spec.get("sender_path"):
            with contextlib.suppress(ImportError, RuntimeError):  # Studio: no edx-completion
                _SENDER_NAMES[id(import_string(spec["sender_path"]))] = spec["sender_path"]
    report["receivers"] = {
        spec["receiver_func_name"]: _connections(import_string(spec["signal_path"]),
                                                 getattr(receivers, spec["receiver_func_name"]))
        for spec in apps._RECEIVERS
    }
    effective = conf.get()
    report["base_url"] = effective.BASE_URL
    report["issuer_name"] = effective.ISSUER_NAME
    report["verify_rate"] = effective.VERIFY_RATE
    report["verify_url"] = api.verify_url("ABCDEFGHJKMNPQRS")
    report["middleware"] = "cert_plugin.middleware.DatabaseUnavailableMiddleware" in settings.MIDDLEWARE
    report["installed_apps"] = list(settings.INSTALLED_APPS)
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
