"""Reference data in the admin: who may change rating scales, and ratings in use.

Wagtail answers a refused admin view with a redirect to the dashboard and a "Sorry, you do
not have permission" message; a script (X-Requested-With) gets the bare 403. Both are
checked, and that nothing changed.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Locale
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from claims.models import FactCheckPage, Rating, RatingScale

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def _url(action: str, *args) -> str:
    return reverse(f"wagtailsnippets_claims_ratingscale:{action}", args=args)


def _rating(key: str, label: str, value: int, **extra) -> dict:
    return {
        "key": key,
        "label": label,
        "verdict": extra.pop("verdict", "false"),
        "rating_value": value,
        "best_rating": 3,
        "worst_rating": 1,
        "alternate_name": extra.pop("alternate_name", label),
        "colour": extra.pop("colour", "#cf222e"),
        "description": "",
        "sort_order": value,
        **extra,
    }


def _scale_form(name: str, key: str, ratings: list[dict], initial: int = 0) -> dict:
    return nested_form_data(
        {
            "name": name,
            "key": key,
            "description": "",
            "ratings": inline_formset(ratings, initial=initial),
        }
    )


def _existing_ratings(scale: RatingScale, **changes_by_key) -> list[dict]:
    rows = []
    for rating in scale.ratings.order_by("sort_order", "pk"):
        row = _rating(
            rating.key,
            rating.label,
            int(rating.rating_value),
            verdict=rating.verdict,
            alternate_name=rating.alternate_name,
            colour=rating.colour,
            id=rating.pk,
        )
        row.update(best_rating=int(rating.best_rating), worst_rating=int(rating.worst_rating))
        row.update(changes_by_key.get(rating.key, {}))
        rows.append(row)
    return rows


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_only_editors_hold_scale_permissions(newsroom, checker, editor):
    for action in ("add", "change", "delete"):
        assert not checker.has_perm(f"claims.{action}_ratingscale")
        assert not checker.has_perm(f"claims.{action}_rating")
        assert editor.has_perm(f"claims.{action}_ratingscale")
    assert checker.has_perm("claims.view_ratingscale")
    assert editor.has_perm("claims.change_newsroomsettings")
    assert not checker.has_perm("claims.change_newsroomsettings")


def test_fact_checker_cannot_create_edit_or_delete_a_scale(client, newsroom, checker):
    client.force_login(checker)
    scale = RatingScale.objects.get(key="truth", locale__language_code="en")
    before = (RatingScale.objects.count(), Rating.objects.count())
    form = _scale_form("Hacked", "hacked", [_rating("x", "X", 1)])
    edit = _scale_form("Renamed", "truth", _existing_ratings(scale), initial=2)

    for url, data in (
        (_url("add"), form),
        (_url("edit", scale.pk), edit),
        (_url("delete", scale.pk), {}),
    ):
        assert client.post(url, data, **XHR).status_code == 403
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
        assert any("permission" in m for m in _messages(response))
        assert client.get(url, **XHR).status_code == 403

    scale.refresh_from_db()
    assert scale.name == "Truth scale"
    assert (RatingScale.objects.count(), Rating.objects.count()) == before


def test_editor_creates_a_scale_with_montenegrin_labels(client, newsroom, editor):
    client.force_login(editor)
    ratings = [
        _rating("laz", "Laž", 1, verdict="false"),
        _rating("poluistina", "Poluistina", 2, verdict="mixed", colour="#bf8700"),
        _rating("istina", "Istina", 3, verdict="true", colour="#1a7f37"),
    ]
    response = client.post(
        _url("add") + "?locale=cnr", _scale_form("Skala istinitosti", "cg-istina", ratings)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    scale = RatingScale.objects.get(key="cg-istina")
    assert scale.locale.language_code == "cnr"
    rows = list(scale.ratings.order_by("sort_order"))
    assert [r.label for r in rows] == ["Laž", "Poluistina", "Istina"]
    assert {r.locale.language_code for r in rows} == {"cnr"}
    assert [float(r.rating_value) for r in rows] == [1.0, 2.0, 3.0]


def test_editor_edits_a_scale(client, newsroom, editor):
    client.force_login(editor)
    scale = RatingScale.objects.get(key="truth", locale__language_code="hr")
    data = _scale_form(
        "Ljestvica", "truth", _existing_ratings(scale, false={"label": "Lažno"}), initial=2
    )
    response = client.post(_url("edit", scale.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert scale.ratings.get(key="false").label == "Lažno"


def test_a_rating_in_use_cannot_be_deleted_from_its_scale(client, newsroom, editor, make_factcheck):
    page = make_factcheck(locale="en", verdict_key="false")
    client.force_login(editor)
    scale = RatingScale.objects.get(key="truth", locale__language_code="en")
    data = _scale_form(
        "Truth scale", "truth", _existing_ratings(scale, false={"DELETE": "on"}), initial=2
    )
    response = client.post(_url("edit", scale.pk), data)
    assert response.status_code == 200  # the form again, with the reason; not a 500
    html = response.content.decode()
    assert "is used by 1 fact-check and cannot be deleted" in html
    assert "retired" in html
    assert scale.ratings.filter(key="false").exists()
    assert FactCheckPage.objects.get(pk=page.pk).rating.key == "false"

    # A rating nobody uses can go.
    data = _scale_form(
        "Truth scale", "truth", _existing_ratings(scale, true={"DELETE": "on"}), initial=2
    )
    assert client.post(_url("edit", scale.pk), data).status_code == 302
    assert not scale.ratings.filter(key="true").exists()


def test_a_scale_in_use_cannot_be_deleted(client, newsroom, editor, make_factcheck):
    make_factcheck(locale="en", verdict_key="false")
    client.force_login(editor)
    scale = RatingScale.objects.get(key="truth", locale__language_code="en")
    for method in (client.get, client.post):
        response = method(_url("delete", scale.pk))
        assert response.status_code == 302
        assert response["Location"] == _url("edit", scale.pk)
        assert any("cannot be deleted: 1 fact-check uses" in m for m in _messages(response))
    assert RatingScale.objects.filter(pk=scale.pk).exists()

    # The same scale in another locale has no fact-checks: it can be deleted.
    unused = RatingScale.objects.get(key="truth", locale__language_code="mk")
    assert client.post(_url("delete", unused.pk)).status_code == 302
    assert not RatingScale.objects.filter(pk=unused.pk).exists()


def test_bulk_delete_of_a_scale_in_use_is_refused(client, newsroom, editor, make_factcheck):
    make_factcheck(locale="en", verdict_key="false")
    client.force_login(editor)
    scale = RatingScale.objects.get(key="truth", locale__language_code="en")
    url = (
        reverse("wagtail_bulk_action", args=("claims", "ratingscale", "delete")) + f"?id={scale.pk}"
    )
    response = client.post(url)
    assert response.status_code == 302
    assert RatingScale.objects.filter(pk=scale.pk).exists()


def _rating_options(html: str) -> set[str]:
    import re

    select = re.search(r'<select name="rating"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no rating select on the page form"
    return set(re.findall(r'<option value="(\d+)"', select.group(1)))


def test_retired_ratings_hide_from_new_fact_checks_but_stay_on_old_ones(
    client, newsroom, editor, make_factcheck
):
    page = make_factcheck(locale="hr", verdict_key="false")
    false_hr = Rating.objects.get(scale__key="truth", key="false", locale__language_code="hr")
    true_hr = Rating.objects.get(scale__key="truth", key="true", locale__language_code="hr")
    false_hr.retired = True
    false_hr.save()
    # Retiring is one decision for every translation of the grade.
    assert set(
        Rating.objects.filter(translation_key=false_hr.translation_key).values_list(
            "retired", flat=True
        )
    ) == {True}

    client.force_login(editor)
    index = page.get_parent()
    add = client.get(reverse("wagtailadmin_pages:add", args=("claims", "factcheckpage", index.pk)))
    assert add.status_code == 200
    offered = _rating_options(add.content.decode())
    assert str(true_hr.pk) in offered and str(false_hr.pk) not in offered
    # Only this locale's ratings are offered on a Croatian page.
    assert offered <= {
        str(pk)
        for pk in Rating.objects.filter(locale__language_code="hr").values_list("pk", flat=True)
    }

    edit = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    assert str(false_hr.pk) in _rating_options(edit.content.decode())
    # The published page still shows its verdict.
    assert page.display_rating.label == "Netočno"
    assert Locale.objects.filter(language_code="hr").exists()
