"""The public API router: /api/v1/. Apps contribute views; this module only wires them."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from claims.api import ClaimViewSet, FactCheckViewSet, claimreview_feed

router = DefaultRouter()
router.register("factchecks", FactCheckViewSet, basename="factcheck")
router.register("claims", ClaimViewSet, basename="claim")

urlpatterns = [
    path("", include(router.urls)),
    path("", include("search.api.urls")),
    path("", include("network.api_urls")),
    path("claimreview.json", claimreview_feed, name="api-claimreview-feed"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
