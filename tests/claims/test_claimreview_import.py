"""import_claimreview / export_claimreview against real pages."""

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from claims.models import FactCheckPage, Rating

pytestmark = pytest.mark.django_db


def _import(path, *extra):
    out, err = StringIO(), StringIO()
    call_command("import_claimreview", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _imported():
    return FactCheckPage.objects.exclude(original_url="").filter(alias_of__isnull=True)


def test_datafeed_of_40_in_seven_languages_lands_in_the_right_locales(newsroom, resources):
    out, _err = _import(resources / "claimreview" / "datafeed-40.json")
    assert "40 created" in out
    pages = _imported()
    assert pages.count() == 40
    by_locale = Counter(pages.values_list("locale__language_code", flat=True))
    assert by_locale == {"en": 6, "sr": 6, "sr-latn": 6, "hr": 6, "bs": 6, "mk": 5, "sq": 5}
    assert all(p.live for p in pages)
    # Every page sits under its locale's "Imported fact-checks" index and keeps its origin.
    for page in pages:
        assert page.get_parent().specific.is_imported
        assert page.original_url.startswith("https://")
        assert page.original_publisher
    cyrillic = pages.filter(locale__language_code="sr").first()
    assert any("\u0400" <= ch <= "\u04ff" for ch in cyrillic.claim_reviewed)


def test_import_is_idempotent(newsroom, resources):
    _import(resources / "claimreview" / "datafeed-40.json")
    revisions = sum(p.revisions.count() for p in _imported())
    out, _err = _import(resources / "claimreview" / "datafeed-40.json")
    assert "0 created, 0 updated, 40 unchanged" in out
    assert _imported().count() == 40
    assert sum(p.revisions.count() for p in _imported()) == revisions


def test_known_labels_map_to_our_scale_and_unknown_ones_are_kept(newsroom, resources):
    _out, err = _import(resources / "claimreview" / "datafeed-40.json")
    netacno = _imported().filter(rating__label="Нетачно")
    # "Нетачно" is on our Serbian truth scale: mapped to it, not to the imported scale.
    assert all(p.rating.scale.key == "truth" for p in netacno)
    imported_ratings = Rating.objects.filter(scale__key="imported")
    assert imported_ratings.exists()
    assert "is not on any of our scales" in err


def test_malformed_json_names_file_and_position_and_imports_nothing(newsroom, resources):
    with pytest.raises(CommandError) as exc:
        _import(
            resources / "claimreview" / "datafeed-40.json",
            resources / "claimreview" / "malformed.json",
        )
    message = str(exc.value)
    assert "malformed.json" in message and "line 6, column 3" in message
    assert _imported().count() == 0  # the good file before it was not half-imported


def test_not_claimreview_is_a_clear_error(newsroom, resources):
    with pytest.raises(CommandError, match="not-claimreview.json: no ClaimReview found"):
        _import(resources / "claimreview" / "not-claimreview.json")


def test_missing_file_is_a_clear_error(newsroom, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        _import(tmp_path / "nope.json")


def test_bad_record_is_reported_and_the_rest_import(newsroom, resources):
    out, err = _import(resources / "claimreview" / "one-bad-record.json")
    assert "3 created" in out and "1 skipped" in out
    assert "record 3: claimReviewed is missing or empty" in err
    assert _imported().count() == 3


def test_html_page_with_claimreview_imports(newsroom, resources):
    out, _err = _import(resources / "claimreview" / "page-two-blocks.html")
    assert "created" in out
    assert _imported().count() >= 1


def test_private_network_url_is_refused(newsroom):
    with pytest.raises(CommandError, match="could not fetch"):
        _import("http://169.254.169.254/latest/meta-data/")


def test_export_then_import_round_trips(newsroom, make_factcheck, tmp_path):
    make_factcheck(
        locale="en",
        slug="five-g",
        title="5G does not spread viruses",
        claim_reviewed="5G towers spread the coronavirus",
    )
    make_factcheck(
        locale="mk",
        slug="vakcini",
        title="Вакцините не содржат чипови",
        claim_reviewed="Вакцините содржат микрочипови",
        verdict_key="true",
    )
    feed_path = tmp_path / "feed.json"
    call_command(
        "export_claimreview",
        "--output",
        str(feed_path),
        "--base-url",
        "https://factcheck.example",
        stderr=StringIO(),
    )
    feed = json.loads(feed_path.read_text(encoding="utf-8"))
    assert feed["@type"] == "DataFeed"
    exported = {
        item["item"][0]["claimReviewed"]: item["item"][0] for item in feed["dataFeedElement"]
    }
    assert set(exported) == {"5G towers spread the coronavirus", "Вакцините содржат микрочипови"}

    # Import into a newsroom that does not have these pages yet.
    FactCheckPage.objects.all().delete()
    out, _err = _import(feed_path)
    assert "2 created" in out
    mk = FactCheckPage.objects.get(claim_reviewed="Вакцините содржат микрочипови")
    assert mk.locale.language_code == "mk"
    assert mk.rating.scale.key == "truth" and mk.rating.key == "true"
    assert mk.original_url == "https://factcheck.example/mk/fact-checks/vakcini/"
    assert mk.claimant == "A viral Facebook post"
    assert [a.url for a in mk.appearances.all()] == ["https://social.example/p/1"]
    # And the re-exported ClaimReview carries the same verdict and claim.
    again = json.loads(_export_stdout())["dataFeedElement"]
    reexported = {i["item"][0]["claimReviewed"]: i["item"][0] for i in again}
    for claim, review in exported.items():
        assert reexported[claim]["reviewRating"] == review["reviewRating"]
        assert reexported[claim]["itemReviewed"] == review["itemReviewed"]
        assert reexported[claim]["url"] == review["url"]


def _export_stdout() -> str:
    out = StringIO()
    call_command("export_claimreview", "--base-url", "https://factcheck.example", stdout=out)
    return out.getvalue()
