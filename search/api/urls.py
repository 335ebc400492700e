from django.urls import path

from .match import MatchAPIView, MatchBatchAPIView
from .search import SearchAPIView

urlpatterns = [
    path("search/", SearchAPIView.as_view(), name="api-search"),
    path("match/", MatchAPIView.as_view(), name="api-match"),
    path("match/batch/", MatchBatchAPIView.as_view(), name="api-match-batch"),
]
