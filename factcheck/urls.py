from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from search import views as search_views

from .feeds import LatestFactChecksAtomFeed, LatestFactChecksFeed
from .sitemaps import AllLocalesSitemap
from .views import favicon, robots_txt

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": AllLocalesSitemap}}, name="sitemap"),
    path("api/v1/", include("factcheck.api_urls")),
]

urlpatterns += i18n_patterns(
    path("search/", search_views.search, name="search"),
    path("tips/", include("claims.urls")),
    path("feeds/latest.rss", LatestFactChecksFeed(), name="feed-latest-rss"),
    path("feeds/latest.atom", LatestFactChecksAtomFeed(), name="feed-latest-atom"),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
