from django.urls import path

from .views import embed_card

urlpatterns = [
    path("factcheck/<int:pk>/", embed_card, name="embed-factcheck"),
]
