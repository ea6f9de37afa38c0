"""The certificate template editor and organization branding, under ``/certs/templates/``.

Thin views over :mod:`cert_plugin.api`: every change is an api call (a new immutable template
version, a course configuration, a branding), every read goes through an api helper.

Who may do what (``api.can_edit_template`` / ``api.can_edit_org``): site staff edit every
template; course staff edit the templates and branding of an organization where they are staff
of at least one course. Built-in templates are read-only (they can be viewed and duplicated).
Anonymous visitors are sent to the login page; everyone else gets 403, the same 403 for a template
id that does not exist (only site staff, who see every template, get a 404 for it), so template ids
cannot be enumerated.

The editor is one form: HTML, CSS, orientation, colours, signatories, honours and image uploads
are saved together as one new version, so nothing goes live half-done and an error never loses
what the author typed (the form comes back with it and the reason, with its line).

One module per page: ``listing`` (list, its pictures, create), ``editor`` (edit, preview,
versions, assets), ``courses`` (attach to courses), ``archive`` (archive, unarchive, delete),
``branding``; ``common`` holds access and the editor's form. The URLs (``template_urls.py``)
name the views through this package.
"""

from __future__ import annotations

from cert_plugin.views.templates_editor.archive import template_archive
from cert_plugin.views.templates_editor.branding import branding_asset, branding_page
from cert_plugin.views.templates_editor.courses import template_attach
from cert_plugin.views.templates_editor.editor import (
    template_asset,
    template_edit,
    template_preview,
    template_restore,
    template_version_preview,
)
from cert_plugin.views.templates_editor.listing import template_create, template_list, template_thumbnail

__all__ = [
    "branding_asset",
    "branding_page",
    "template_archive",
    "template_asset",
    "template_attach",
    "template_create",
    "template_edit",
    "template_list",
    "template_preview",
    "template_restore",
    "template_thumbnail",
    "template_version_preview",
]
