"""REST API v1 URLs (included under ``certs/api/v1/`` in the ``cert_plugin`` namespace).

Every name starts with ``api-``; the OpenAPI schema of all of them is ``api-schema``.
"""

from django.urls import URLPattern, URLResolver, path

from cert_plugin.rest_api.v1 import verify, verify_file, views

_LEARNER = "courses/<str:course_key>/learners/<int:user_id>"

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/file/", verify_file.VerifyFileView.as_view(), name="api-verify-file"),  # before <code>
    path("verify/<str:code>/", verify.VerifyView.as_view(), name="api-verify"),
    # the learner (the learning and account MFEs)
    path("me/certificates/", views.MyCertificatesView.as_view(), name="api-my-certificates"),
    path("me/certificates/<str:code>/", views.MyCertificateView.as_view(), name="api-my-certificate"),
    path("me/certificates/<str:code>/publish/", views.PublishView.as_view(),
         name="api-my-certificate-publish"),
    path("me/certificates/<str:code>/reissue-request/", views.ReissueRequestView.as_view(),
         name="api-my-certificate-reissue-request"),
    path("courses/<str:course_key>/progress/", views.CourseProgressView.as_view(),
         name="api-course-progress"),
    path("courses/<str:course_key>/review-request/", views.CourseReviewRequestView.as_view(),
         name="api-course-review-request"),
    path("courses/<str:course_key>/recertify/", views.CourseRecertifyView.as_view(),
         name="api-course-recertify"),
    # course staff
    path("courses/<str:course_key>/learners/", views.CourseLearnersView.as_view(),
         name="api-course-learners"),
    path(f"{_LEARNER}/approve/", views.ApproveView.as_view(), name="api-learner-approve"),
    path(f"{_LEARNER}/reject/", views.RejectView.as_view(), name="api-learner-reject"),
    path(f"{_LEARNER}/requirements/<str:requirement>/", views.RequirementView.as_view(),
         name="api-learner-requirement"),
    path("certificates/<str:code>/revoke/", views.CertificateRevokeView.as_view(),
         name="api-certificate-revoke"),
    path("certificates/<str:code>/reissue/", views.CertificateReissueView.as_view(),
         name="api-certificate-reissue"),
    path("courses/<str:course_key>/jobs/", views.CourseJobsView.as_view(), name="api-course-jobs"),
    path("jobs/<int:job_id>/", views.JobView.as_view(), name="api-job"),
    # the OpenAPI 3 schema of all the above
    path("schema/", views.SchemaView.as_view(), name="api-schema"),
]
