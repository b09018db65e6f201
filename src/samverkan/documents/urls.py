from django.urls import path

from samverkan.documents import views as v

app_name = "documents"
P = "samverkan/<int:pk>/dokument/"
# Fixed prefixes first: the slug patterns below would otherwise swallow them.
urlpatterns = [
    path("tillganglighet/", v.accessibility_statement, name="accessibility"),
    path(P, v.document_list, name="list"),
    path(P + "versioner/<int:issued_id>/", v.version_detail, name="version"),
    path(P + "versioner/<int:issued_id>/fil/", v.version_download, name="version_download"),
    path(P + "versioner/<int:issued_id>/arkivpaket/", v.archive_package, name="archive_package"),
    path(P + "beslut/<slug:kind>/", v.decision_edit, name="decision"),
    path(P + "forslag/<slug:kind>/", v.proposal_edit, name="proposal"),
    path(P + "undertecknad/ny/", v.sign, name="sign"),
    path(P + "undertecknad/<int:signed_id>/", v.signed_download, name="signed_download"),
    path(P + "<slug:kind>/<slug:edition>/", v.preview, name="preview"),
    path(P + "<slug:kind>/<slug:edition>/fil/<slug:fmt>/", v.download, name="download"),
    path(P + "<slug:kind>/<slug:edition>/utfarda/", v.issue, name="issue"),
]
