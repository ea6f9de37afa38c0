"""The template editor and organization branding, under ``/certs/templates/`` (namespace ``cert_plugin``)."""

from django.urls import URLPattern, URLResolver, path

from cert_plugin.views import templates_editor as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.template_list, name="template-list"),
    path("new/", views.template_create, name="template-create"),
    path("branding/<str:org>/", views.branding_page, name="branding"),
    path("branding/<str:org>/assets/<str:name>", views.branding_asset, name="branding-asset"),
    path("<int:template_id>/", views.template_edit, name="template-edit"),
    path("<int:template_id>/preview/", views.template_preview, name="template-preview"),
    path("<int:template_id>/assets/<str:name>", views.template_asset, name="template-asset"),
    path("<int:template_id>/courses/", views.template_attach, name="template-attach"),
    path("<int:template_id>/versions/<int:number>.png", views.template_version_preview,
         name="template-version-preview"),
    path("<int:template_id>/versions/<int:number>/restore/", views.template_restore, name="template-restore"),
    path("<int:template_id>/versions/<int:number>/thumbnail.png", views.template_thumbnail,
         name="template-thumbnail"),
    path("<int:template_id>/archive/", views.template_archive, name="template-archive"),
]
