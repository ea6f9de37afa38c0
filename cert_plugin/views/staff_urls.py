"""Course staff pages: the index of the courses one teaches at ``/certs/staff/``, and each course's pages
under ``/certs/staff/<course_key>/`` (namespace ``cert_plugin``)."""

from django.urls import URLPattern, URLResolver, path

from cert_plugin.views import staff

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff.index, name="staff-index"),
    path("<str:course_key>/", staff.dashboard, name="staff-dashboard"),
    path("<str:course_key>/settings/", staff.settings_page, name="staff-settings"),
    path("<str:course_key>/audit/", staff.audit, name="staff-audit"),
    path("<str:course_key>/export.csv", staff.export_csv, name="staff-export"),
    path("<str:course_key>/approve/", staff.approve, name="staff-approve"),
    path("<str:course_key>/reject/", staff.reject, name="staff-reject"),
    path("<str:course_key>/requirement/", staff.requirement, name="staff-requirement"),
    path("<str:course_key>/bulk/", staff.bulk, name="staff-bulk"),
    path("<str:course_key>/issue/", staff.issue_now, name="staff-issue"),
    path("<str:course_key>/revoke/", staff.revoke, name="staff-revoke"),
    path("<str:course_key>/reissue/", staff.reissue, name="staff-reissue"),
    path("<str:course_key>/retry-render/", staff.retry_render, name="staff-retry-render"),
    path("<str:course_key>/name-changes/<int:request_id>/", staff.decide_name_change,
         name="staff-name-change"),
    path("<str:course_key>/jobs/start/", staff.start_job, name="staff-job-start"),
    path("<str:course_key>/jobs/<int:job_id>/", staff.job_status, name="staff-job"),
]
