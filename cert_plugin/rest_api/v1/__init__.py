"""REST API v1 (DRF), under ``/certs/api/v1/`` with names in the ``cert_plugin`` namespace.

The OpenAPI 3 schema of all of it is ``GET schema/`` (``api-schema``; JSON,
``?format=yaml`` for YAML), public and generated from these views by
drf-spectacular without adding it to ``INSTALLED_APPS`` and without touching the
host's ``REST_FRAMEWORK`` settings.

Learner (any signed-in user, about themselves):

* ``GET me/certificates/`` (``api-my-certificates``): their courses with status,
  checklist, percent and certificate (``api.learner_overview``).
* ``GET me/certificates/<code>/`` (``api-my-certificate``): one certificate, for
  its owner, the course's staff, or anyone once it is public; 404 otherwise.
* ``POST me/certificates/<code>/publish/`` ``{"public": bool}`` and
  ``POST me/certificates/<code>/reissue-request/``: the owner only.
* ``GET courses/<course_key>/progress/`` (``api-course-progress``): their own
  progress in a course (the learning MFE's progress slot).

Course staff (403 for anyone else, 404 for a malformed course key):

* ``GET courses/<course_key>/learners/?search=&status=&page=&page_size=``
* ``POST courses/<course_key>/learners/<user_id>/approve/``, ``reject/``
  ``{"reason"}``, ``requirements/<key>/`` ``{"met": bool}``
* ``POST certificates/<code>/revoke/`` ``{"reason", "publish_reason"}``,
  ``POST certificates/<code>/reissue/``
* ``POST courses/<course_key>/jobs/`` ``{"kind": "backfill" | "reissue_all"}``
  -> 202 with the job; ``GET jobs/<id>/``.

Anyone: ``GET verify/<code>/`` (``api-verify``, rate limited).

Authentication is in :mod:`.authentication` (JWT inside Open edX, then the
session with CSRF), permissions in :mod:`.permissions`, the JSON shapes in
:mod:`.serializers`.
"""
