from django.urls import path

from .views import OEmbedView

urlpatterns = [
    path("oembed/", OEmbedView.as_view(), name="api-oembed"),
]
