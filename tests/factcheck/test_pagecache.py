"""The anonymous full-page cache (factcheck/pagecache.py): what it serves, to whom, and
that every change a reader can see invalidates it."""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from factcheck import pagecache
from factcheck.pagecache import HEADER, PageCacheMiddleware, pagecache_generation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_index")]


@pytest.fixture(autouse=True)
def page_cache(settings):
    """The test settings' cache is process-local, where the page cache is off by default."""
    settings.FACTCHECK_PAGE_CACHE_SECONDS = 300
    settings.FACTCHECK_PAGE_CACHE_LOCAL = True
    caches["default"].clear()
    yield
    caches["default"].clear()


def _title(response) -> str:
    match = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S)
    return match.group(1).strip() if match else ""


def test_second_anonymous_request_is_served_from_the_cache_without_the_database(
    client, make_factcheck, django_assert_num_queries
):
    page = make_factcheck(locale="en")
    first = client.get(page.url)
    assert first.status_code == 200 and first[HEADER] == "miss"
    with django_assert_num_queries(0):
        second = client.get(page.url)
    assert second[HEADER] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_head_is_answered_from_the_get_copy_without_a_body(client, make_factcheck):
    page = make_factcheck(locale="en")
    body = client.get(page.url).content
    head = client.head(page.url)
    assert head[HEADER] == "hit" and head.content == b""
    assert int(head["Content-Length"]) == len(body)


def test_published_change_is_visible_on_the_next_request(client, make_factcheck):
    page = make_factcheck(locale="en")
    assert _title(client.get(page.url)) == "Vaccines do not contain microchips"
    assert client.get(page.url)[HEADER] == "hit"

    make_factcheck(locale="en", title="Vaccines still contain no microchips")

    response = client.get(page.url)
    assert _title(response) == "Vaccines still contain no microchips"
    assert response[HEADER] == "miss"


def test_published_fact_check_appears_on_the_cached_home_page(client, make_factcheck):
    make_factcheck(locale="en", slug="first", title="The first debunk")
    assert "The first debunk" in client.get("/en/").content.decode()
    assert client.get("/en/")[HEADER] == "hit"
    make_factcheck(locale="en", slug="second", title="The second debunk")
    assert "The second debunk" in client.get("/en/").content.decode()


def test_unpublished_and_deleted_pages_disappear_at_once(client, make_factcheck):
    gone = make_factcheck(locale="en", slug="unpublished")
    deleted = make_factcheck(locale="en", slug="deleted")
    for page in (gone, deleted):
        client.get(page.url)
        assert client.get(page.url)[HEADER] == "hit"
    url_gone, url_deleted = gone.url, deleted.url
    gone.unpublish()
    deleted.delete()
    assert client.get(url_gone).status_code == 404
    assert client.get(url_deleted).status_code == 404


def test_moved_page_leaves_its_old_url(client, make_factcheck):
    from claims.services import index_for

    page = make_factcheck(locale="en", slug="moved")
    old = page.url
    client.get(old)
    assert client.get(old)[HEADER] == "hit"
    target = index_for(locale_code="en", imported=True)
    page.move(target, pos="last-child")
    response = client.get(old)  # Wagtail leaves a redirect behind, not the cached page
    assert response.status_code == 301
    assert response["Location"] == f"{target.url}moved/"


def test_rating_label_change_is_visible_on_the_next_request(client, make_factcheck):
    from claims.models import Rating

    page = make_factcheck(locale="en")
    assert ">False</span>" in client.get(page.url).content.decode()
    assert client.get(page.url)[HEADER] == "hit"
    rating = Rating.objects.get(scale__key="truth", key="false", locale__language_code="en")
    rating.label = "Wrong"
    rating.save()
    html = client.get(page.url).content.decode()
    assert ">Wrong</span>" in html and ">False</span>" not in html


def test_view_restriction_added_later_is_enforced_at_once(client, make_factcheck):
    from wagtail.models import PageViewRestriction

    page = make_factcheck(locale="en")
    client.get(page.url)
    assert client.get(page.url)[HEADER] == "hit"
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    response = client.get(page.url)
    assert "Vaccines do not contain microchips" not in _title(response)
    assert response.get(HEADER) != "hit"


def test_search_index_task_invalidates_the_search_page(make_factcheck):
    from claims.tasks import factcheck_index

    page = make_factcheck(locale="en")
    before = pagecache_generation()
    factcheck_index.enqueue(page.pk)  # the immediate backend runs it: task_finished fires
    assert pagecache_generation() != before


def test_invalidation_is_repeated_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    start = pagecache_generation()
    with django_capture_on_commit_callbacks() as callbacks:
        pagecache.pagecache_invalidate(reason="test")
        during = pagecache_generation()
    assert during != start
    assert len(callbacks) == 1
    callbacks[0]()
    assert pagecache_generation() != during


def test_logged_in_editor_never_gets_the_cached_copy(client, make_factcheck, admin_user):
    from claims.models import FactCheckPage

    page = make_factcheck(locale="en")
    client.get(page.url)
    # Changed behind Django's back (no signal): anonymous readers keep the cached copy...
    FactCheckPage.objects.filter(pk=page.pk).update(title="Edited without a signal")
    assert _title(client.get(page.url)) == "Vaccines do not contain microchips"
    editor = Client()
    editor.force_login(admin_user)
    response = editor.get(page.url)
    # ...and the editor sees the database.
    assert response.get(HEADER) is None
    assert _title(response) == "Edited without a signal"


def test_logged_in_editor_never_fills_the_cache(client, make_factcheck, admin_user):
    page = make_factcheck(locale="en")
    editor = Client()
    editor.force_login(admin_user)
    editor_html = editor.get(page.url).content.decode()
    assert "wagtail-userbar" in editor_html.lower() or "userbar" in editor_html.lower()
    response = client.get(page.url)
    assert response[HEADER] == "miss"
    assert "userbar" not in response.content.decode().lower()


def test_request_with_a_session_or_messages_cookie_bypasses_the_cache(client, make_factcheck):
    page = make_factcheck(locale="en")
    client.get(page.url)
    for name in ("sessionid", "messages"):
        other = Client()
        other.cookies[name] = "anything"
        assert other.get(page.url).get(HEADER) is None


def test_page_with_a_csrf_form_is_not_cached(client, newsroom, monkeypatch):
    # Without the explicit /tips/ exclusion, the CSRF token alone must keep it out.
    monkeypatch.setattr(pagecache, "EXCLUDED_SUFFIXES", ())
    tokens = []
    for reader in (Client(), Client()):
        response = reader.get("/en/tips/")
        assert response.status_code == 200
        assert response.get(HEADER) is None
        assert "csrftoken" in response.cookies
        tokens.append(
            re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()
            ).group(1)
        )
    # A reader who already has a CSRF cookie still gets a fresh render.
    again = client.get("/en/tips/")
    again = client.get("/en/tips/")
    assert again.get(HEADER) is None
    assert tokens[0] != tokens[1]


def test_tip_form_is_never_cached(client, newsroom):
    client.get("/en/tips/")
    assert client.get("/en/tips/").get(HEADER) is None


def test_sr_latn_mirror_does_not_get_the_cyrillic_copy(client, make_factcheck):
    make_factcheck(
        locale="sr",
        slug="vakcine",
        title="Вакцине не садрже микрочипове",
        claim_reviewed="Вакцине садрже микрочипове, тврди Ђорђе",
        summary="Нетачно.",
    )
    cyrillic = client.get("/sr/fact-checks/vakcine/")
    assert cyrillic[HEADER] == "miss" and _title(cyrillic) == "Вакцине не садрже микрочипове"
    latin = client.get("/sr-latn/fact-checks/vakcine/")
    assert latin.status_code == 200
    assert _title(latin) == "Vakcine ne sadrže mikročipove"
    assert latin[HEADER] == "miss"
    assert _title(client.get("/sr-latn/fact-checks/vakcine/")) == "Vakcine ne sadrže mikročipove"
    assert _title(client.get("/sr/fact-checks/vakcine/")) == "Вакцине не садрже микрочипове"


def test_admin_and_api_are_never_cached(client, make_factcheck):
    make_factcheck(locale="en")
    for url in ("/admin/login/", "/api/v1/factchecks/", "/api/v1/search/?q=vaccines"):
        client.get(url)
        assert client.get(url).get(HEADER) is None, url


def test_search_page_is_keyed_by_its_query(client, make_factcheck):
    make_factcheck(locale="en")
    found = client.get("/en/search/?q=vaccines+microchips")
    assert "Vaccines do not contain microchips" in found.content.decode()
    assert client.get("/en/search/?q=vaccines+microchips")[HEADER] == "hit"
    other = client.get("/en/search/?q=pensions+airport")
    assert other[HEADER] == "miss"
    assert "Vaccines do not contain microchips" not in other.content.decode()


def test_off_with_a_process_local_cache_unless_allowed(client, make_factcheck, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.FACTCHECK_PAGE_CACHE_LOCAL = False
    page = make_factcheck(locale="en")
    client.get(page.url)
    assert client.get(page.url).get(HEADER) is None


def test_a_failing_cache_serves_the_page_uncached(client, make_factcheck, monkeypatch):
    page = make_factcheck(locale="en")

    class Down:
        def __getattr__(self, name):
            def broken(*args, **kwargs):
                raise ConnectionError("redis is down")

            return broken

    monkeypatch.setattr(pagecache, "_cache", Down)  # the page cache's view of the cache only
    response = client.get(page.url)
    assert response.status_code == 200 and response.get(HEADER) is None


# --- The storage rules, one at a time, behind a stand-in view --------------------------


def _run(view, path="/en/page/", **headers):
    request = RequestFactory().get(path, **headers)
    return PageCacheMiddleware(view)(request)


def _counting(view):
    calls = []

    def wrapped(request):
        calls.append(request)
        return view(request)

    wrapped.calls = calls
    return wrapped


@pytest.mark.parametrize(
    "view",
    [
        pytest.param(lambda r: HttpResponse("x", status=404), id="not-200"),
        pytest.param(lambda r: HttpResponse(get_token(r)), id="csrf-token-used"),
        pytest.param(
            lambda r: (lambda resp: (resp.set_cookie("theme", "dark"), resp)[1])(HttpResponse("x")),
            id="set-cookie",
        ),
        pytest.param(
            lambda r: (lambda resp: (resp.__setitem__("Cache-Control", "private"), resp)[1])(
                HttpResponse("x")
            ),
            id="cache-control-private",
        ),
        pytest.param(
            lambda r: (lambda resp: (resp.__setitem__("Vary", "*"), resp)[1])(HttpResponse("x")),
            id="vary-star",
        ),
        pytest.param(
            lambda r: (
                setattr(r, "_messages", CookieStorage(r)),
                messages.info(r, "Thanks!"),
                HttpResponse("x"),
            )[2],
            id="queued-message",
        ),
    ],
)
def test_responses_that_must_not_be_stored(view):
    counted = _counting(view)
    _run(counted)
    second = _run(counted)
    assert second.get(HEADER) is None
    assert len(counted.calls) == 2


def test_response_rendered_for_a_logged_in_user_is_not_stored(admin_user):
    def view(request):
        request.user = admin_user
        return HttpResponse("hello editor")

    counted = _counting(view)
    _run(counted)
    _run(counted)
    assert len(counted.calls) == 2


def test_vary_is_respected():
    def view(request):
        response = HttpResponse(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        response["Vary"] = "Accept-Language"
        return response

    counted = _counting(view)
    assert _run(counted, HTTP_ACCEPT_LANGUAGE="hr").content == b"hr"
    assert _run(counted, HTTP_ACCEPT_LANGUAGE="sq").content == b"sq"
    hr = _run(counted, HTTP_ACCEPT_LANGUAGE="hr")
    assert hr.content == b"hr" and hr[HEADER] == "hit"
    assert len(counted.calls) == 2


def test_host_and_query_are_part_of_the_key():
    counted = _counting(lambda r: HttpResponse(f"{r.get_host()} {r.GET.get('q', '')}"))
    assert _run(counted, "/en/s/?q=a", HTTP_HOST="a.example").content == b"a.example a"
    assert _run(counted, "/en/s/?q=a", HTTP_HOST="b.example").content == b"b.example a"
    assert _run(counted, "/en/s/?q=b", HTTP_HOST="a.example").content == b"a.example b"
    assert _run(counted, "/en/s/?q=a", HTTP_HOST="a.example")[HEADER] == "hit"
    assert len(counted.calls) == 3


def test_paths_without_a_language_prefix_are_not_cached():
    counted = _counting(lambda r: HttpResponse("x"))
    for path in ("/robots.txt", "/sitemap.xml", "/static/x.css", "/documents/1/a.pdf"):
        _run(counted, path)
        assert _run(counted, path).get(HEADER) is None
    assert len(counted.calls) == 8


def test_post_is_never_served_from_the_cache():
    counted = _counting(lambda r: HttpResponse(r.method))
    _run(counted)
    request = RequestFactory().post("/en/page/", {"a": "b"})
    assert PageCacheMiddleware(counted)(request).content == b"POST"
    assert len(counted.calls) == 2


def test_session_cookie_bypasses_the_cache_even_when_the_page_does_not_vary_on_cookies():
    counted = _counting(lambda r: HttpResponse("the same for everyone"))
    assert _run(counted)[HEADER] == "miss"
    assert _run(counted)[HEADER] == "hit"
    editor = _run(counted, HTTP_COOKIE="sessionid=abc")
    assert editor.get(HEADER) is None
    assert len(counted.calls) == 2
