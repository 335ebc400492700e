"""The public search page. Every locale has one at /<lang>/search/."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from claims.models import FactCheckPage

MAX_QUERY_LENGTH = 200


def search(request):
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    results = FactCheckPage.objects.live().public().search(query) if query else []
    page_obj = Paginator(results, 20).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "pages/search.html",
        {"search_query": query, "page_obj": page_obj, "results": page_obj.object_list},
    )
