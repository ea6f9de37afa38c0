"""URLs of cert_plugin (namespace ``cert_plugin``), mounted at the site root by the host."""

from django.urls import URLPattern, URLResolver, path, register_converter

from cert_plugin.views import downloads

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
    path("certs/<code:code>.pdf", downloads.download_pdf, name="download-pdf"),
    path("certs/<code:code>.png", downloads.download_png, name="download-png"),
]
