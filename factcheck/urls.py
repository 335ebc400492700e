from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from claims import urls as claims_urls
from search import views as search_views

from .feeds import LatestFactChecksAtomFeed, LatestFactChecksFeed
from .sitemaps import AllLocalesSitemap
from .views import favicon, healthz, robots_txt

# Our own apps; third-party ones (auth, Wagtail's documents and images, taggit, the task
# results) register with Django's admin too, and Wagtail's admin already manages them.
OWN_APPS = ("factcheck", "sources", "claims", "search", "ingest", "network")


def django_admin_needed(site: admin.AdminSite) -> bool:
    """Mount /django-admin/ only once one of our models is registered there.

    Otherwise it is a second login page and a second way to edit users, outside
    Wagtail's permissions and workflow, with nothing of ours in it.
    """
    return any(model._meta.app_label in OWN_APPS for model in site._registry)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": AllLocalesSitemap}}, name="sitemap"),
    path("api/v1/", include("factcheck.api_urls")),
    path("embed/", include("network.urls")),
    path("tipline/", include("tipline.urls")),  # messenger webhooks (no locale prefix)
]

urlpatterns += i18n_patterns(
    path("search/", search_views.search, name="search"),
    path("tips/", include("claims.urls")),
    path("", include(claims_urls.public_urlpatterns)),
    path("feeds/latest.rss", LatestFactChecksFeed(), name="feed-latest-rss"),
    path("feeds/latest.atom", LatestFactChecksAtomFeed(), name="feed-latest-atom"),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

if django_admin_needed(admin.site):
    urlpatterns.insert(0, path("django-admin/", admin.site.urls))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
