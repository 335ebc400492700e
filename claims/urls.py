"""URLs: the public tip form (mounted per locale at /<lang>/tips/) and the admin claim page."""

from django.urls import path

from . import public_pages, views

urlpatterns = [path("", views.tip_form, name="tip_form")]

#: Mounted per locale at /<lang>/ by ``factcheck.urls`` (before Wagtail's page routes).
public_urlpatterns = [
    path("ratings/", public_pages.rating_scale_explainer, name="rating_scales"),
    path("topics/<slug:key>/", public_pages.topic_page, name="topic"),
    path("authors/<int:pk>/", public_pages.author_page, name="author"),
    path("track-record/", public_pages.track_record_index, name="track_record"),
    path("track-record/<int:pk>/", public_pages.track_record_outlet, name="track_record_outlet"),
]

#: Registered under /admin/claim-queue/ by ``wagtail_hooks`` (namespace ``claims_admin``).
admin_urlpatterns = [
    path("add/", views.claim_add, name="add"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.claim_action, name="action"),
]
