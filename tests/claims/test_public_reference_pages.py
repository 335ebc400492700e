"""The rating-scale explainer, topic and author pages; the nav's tip link in every locale."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from claims.models import Author, Rating, Topic

pytestmark = pytest.mark.django_db


def test_explainer_is_generated_from_the_scale(client, newsroom) -> None:
    html = client.get("/hr/ratings/").content.decode()
    assert 'id="rating-truth-false"' in html and 'id="rating-truth-true"' in html
    assert "Netočno" in html and "Ljestvica istinitosti" in html
    # An edit in the admin shows up: the page reads the scale, not a constant (and the
    # save clears the page cache, which is on with Redis).
    rating = Rating.objects.get(key="false", locale__language_code="hr")
    rating.label, rating.description = "Laž", "Tvrdnja je netočna."
    rating.save()
    html = client.get("/hr/ratings/").content.decode()
    assert "Laž" in html and "Tvrdnja je netočna." in html


def test_factcheck_badge_links_to_its_rating_on_the_explainer(client, make_factcheck) -> None:
    page = make_factcheck(locale="hr", slug="cjepivo")
    html = client.get(page.url).content.decode()
    assert 'href="/hr/ratings/#rating-truth-false"' in html
    explainer = client.get("/hr/ratings/").content.decode()
    assert 'id="rating-truth-false"' in explainer


def test_topic_page_lists_its_factchecks(client, make_factcheck) -> None:
    page = make_factcheck(locale="hr", slug="cjepivo", title="Cjepivo ne sadrži čip")
    page.topics.add(Topic.objects.get(key="health", locale__language_code="hr"))
    page.save_revision().publish()
    make_factcheck(locale="hr", slug="drugo", title="Nešto drugo")
    html = client.get("/hr/topics/health/").content.decode()
    assert "Zdravlje" in html and "Cjepivo ne sadrži čip" in html
    assert "Nešto drugo" not in html
    assert 'href="/hr/topics/health/"' in client.get(page.url).content.decode()
    assert client.get("/hr/topics/no-such-topic/").status_code == 404


def test_author_page_shows_profile_and_work(client, make_factcheck) -> None:
    author = Author.objects.create(name="Ana Anić", role="Fact-checker", bio="Piše o zdravlju.")
    page = make_factcheck(locale="hr", slug="cjepivo", title="Cjepivo ne sadrži čip")
    page.authors.add(author)
    page.save_revision().publish()
    html = client.get(f"/hr/authors/{author.pk}/").content.decode()
    assert "Ana Anić" in html and "Fact-checker" in html and "Piše o zdravlju." in html
    assert "Cjepivo ne sadrži čip" in html
    assert f'href="/hr/authors/{author.pk}/"' in client.get(page.url).content.decode()
    assert client.get("/hr/authors/999999/").status_code == 404


def test_author_bio_is_escaped(client, newsroom) -> None:
    author = Author.objects.create(name="<script>x</script>", bio="<img src=x onerror=alert(1)>")
    html = client.get(f"/en/authors/{author.pk}/").content.decode()
    assert "<script>x</script>" not in html and "<img src=x" not in html


@pytest.mark.parametrize("code", [code for code, _ in settings.LANGUAGES])
def test_every_locale_links_the_tip_form_from_the_nav(client, newsroom, code) -> None:
    html = client.get(f"/{code}/").content.decode()
    nav = re.search(r'<nav[^>]*class="main-nav".*?</nav>', html, re.S).group(0)
    assert f'href="/{code}/tips/"' in nav
    form = client.get(f"/{code}/tips/").content.decode()
    assert "data-tip-suggestions" in form and 'data-match-url="/api/v1/match/"' in form
    assert "tip-suggestions.js" in form


def test_tip_form_still_posts_without_javascript(client, newsroom) -> None:
    response = client.post(
        "/en/tips/", {"text": "A viral post says the bridge in Mostar is closed", "url": ""}
    )
    assert response.status_code == 200
    assert "data-tip-thanks" in response.content.decode()
