from django.urls import path

from .match import MatchAPIView
from .search import SearchAPIView

urlpatterns = [
    path("search/", SearchAPIView.as_view(), name="api-search"),
    path("match/", MatchAPIView.as_view(), name="api-match"),
]
