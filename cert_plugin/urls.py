"""URLs of cert_plugin (namespace ``cert_plugin``), mounted at the site root by the host."""

from django.urls import URLPattern, URLResolver, include, path, register_converter

from cert_plugin.views import credentials, downloads, learner, verify, verify_file

app_name = "cert_plugin"


class CodeConverter:
    """A verification code as people write it: letters, digits and hyphens."""

    regex = "[0-9A-Za-z-]{16,40}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "code")

urlpatterns: list[URLPattern | URLResolver] = [
    path("certs/", learner.dashboard, name="learner-dashboard"),
    path("certs/staff/", include("cert_plugin.views.staff_urls")),
    path("certs/templates/", include("cert_plugin.views.template_urls")),
    path("certs/verify/", verify.verify_form, name="verify-form"),
    path("certs/verify/file/", verify_file.verify_file, name="verify-file"),  # before <code>
    path("certs/verify/<str:code>/", verify.verify_page, name="verify"),
    path("certs/issuer/", credentials.issuer_profile, name="issuer"),
    path("certs/issuer/keys.json", credentials.issuer_keys, name="issuer-keys"),
    path("certs/issuer/keys/<str:key_id>.json", credentials.issuer_key, name="issuer-key"),
    path("certs/issuer/keys/<str:key_id>/multikey.json", credentials.issuer_multikey, name="issuer-multikey"),
    path("certs/status/revocation.json", credentials.status_list, name="status-list"),
    path("certs/courses/<str:course_key>/review/", learner.ask_for_review, name="ask-for-review"),
    path("certs/courses/<str:course_key>/recertify/", learner.recertify, name="recertify"),
    path("certs/u/<str:username>/", learner.public_profile, name="public-profile"),
    path("certs/sw.js", learner.service_worker, name="service-worker"),
    path("certs/api/v1/", include("cert_plugin.rest_api.v1.urls")),
    path("certs/<code:code>.pdf", downloads.download_pdf, name="download-pdf"),
    path("certs/<code:code>.png", downloads.download_png, name="download-png"),
    path("certs/<code:code>/credential.json", credentials.credential, name="credential"),
    path("certs/<code:code>/publish/", learner.publish, name="publish"),
    path("certs/<code:code>/reissue/", learner.request_reissue, name="request-reissue"),
    path("certs/<code:code>/", learner.certificate_page, name="certificate"),
]
