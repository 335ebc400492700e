"""URLs: the public tip form (mounted per locale at /<lang>/tips/) and the admin claim page."""

from django.urls import path

from . import views

urlpatterns = [path("", views.tip_form, name="tip_form")]

#: Registered under /admin/claim-queue/ by ``wagtail_hooks`` (namespace ``claims_admin``).
admin_urlpatterns = [
    path("add/", views.claim_add, name="add"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.claim_action, name="action"),
]
