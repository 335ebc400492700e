"""Only http(s) URLs are stored or become an href: tips, appearances, evidence, sightings.

The rendering tests are defence in depth: a hostile URL written straight into the
database (as an older version, a migration or a bug might) still never becomes a live
``javascript:`` link on the public fact-check page or in the admin.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims import services
from claims.models import Claim, ClaimAppearance, ClaimSighting, FactCheckPage, Tip

pytestmark = pytest.mark.django_db

HOSTILE = [
    "javascript:alert(document.cookie)//",
    "JAVASCRIPT:alert(1)",
    " java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https://user:pass@evil.example/x",
]


class _Hrefs(HTMLParser):
    """Every href of every real tag (what a browser would follow), entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if name in ("href", "xlink:href")]


def _hrefs(page: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(page)
    parser.close()
    return parser.found


def _assert_no_dangerous_href(page: str) -> None:
    """Every href is an http(s) URL, a path/fragment/query on our site, or mailto."""
    hrefs = _hrefs(page)
    assert hrefs  # the page was parsed and has links at all
    for href in hrefs:
        # What a browser does: trim, drop tabs/newlines/controls, ignore case.
        squashed = re.sub(r"[\x00-\x20\x7f]", "", href).lower()
        if squashed.startswith(("http://", "https://")):
            assert "@" not in squashed.split("/")[2], href
            continue
        assert squashed.startswith(("/", "#", "?", "mailto:")) or squashed == "", href
        assert not (squashed.startswith("//") and len(squashed) > 2), href  # another host


def _hostile_factcheck(make_factcheck, url: str) -> FactCheckPage:
    page = make_factcheck(
        locale="en",
        slug="hostile",
        original_url="https://partner.example/fc/1",
        original_publisher="Partner",
        appearances=[services.AppearanceData(url="https://social.example/p/1")],
        body=[
            {
                "type": "evidence",
                "value": {
                    "title": "Source",
                    "url": "https://source.example/doc",
                    "publisher": "",
                    "date": None,
                    "archive_url": "https://archive.example/doc",
                    "description": "",
                },
            }
        ],
    )
    # Straight into the database, past every service and form.
    ClaimAppearance.objects.filter(page=page).update(url=url, archive_url=url)
    FactCheckPage.objects.filter(pk=page.pk).update(original_url=url)
    raw = [{**block, "value": dict(block["value"])} for block in page.body.raw_data]
    raw[0]["value"]["url"] = url
    raw[0]["value"]["archive_url"] = url
    FactCheckPage.objects.filter(pk=page.pk).update(body=raw)
    return page


@pytest.mark.parametrize("url", HOSTILE)
def test_public_factcheck_page_never_links_a_hostile_url(client, make_factcheck, url) -> None:
    page = _hostile_factcheck(make_factcheck, url)
    response = client.get(page.url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Where the claim appeared" in text and "Originally published by" in text
    _assert_no_dangerous_href(text)


def test_public_page_still_links_ordinary_urls(client, make_factcheck) -> None:
    page = make_factcheck(locale="en", slug="ok", original_url="https://partner.example/fc/2")
    text = client.get(page.url).content.decode()
    assert 'href="https://social.example/p/1"' in text
    assert 'href="https://partner.example/fc/2"' in text


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize("url", HOSTILE)
def test_admin_claim_page_never_links_a_hostile_url(admin_client, matcher, url) -> None:
    claim = services.claim_create(
        text="Vaccines contain microchips, says a viral post",
        sighting=services.SightingData(source="manual", url="https://fb.example/1"),
    )
    ClaimSighting.objects.filter(claim=claim).update(url=url)
    text = admin_client.get(reverse("claims_admin:detail", args=[claim.pk])).content.decode()
    assert "Vaccines contain microchips" in text
    _assert_no_dangerous_href(text)


def test_admin_page_editor_never_links_a_hostile_url(admin_client, make_factcheck) -> None:
    page = _hostile_factcheck(make_factcheck, "javascript:alert(document.cookie)//")
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    _assert_no_dangerous_href(response.content.decode())


# -------------------------------------------------------------- storing


@pytest.mark.parametrize("url", HOSTILE)
def test_factcheck_upsert_drops_hostile_appearances(make_factcheck, url) -> None:
    page = make_factcheck(
        locale="en",
        slug="upsert",
        appearances=[
            services.AppearanceData(url=url),
            services.AppearanceData(url="https://social.example/p/2", archive_url=url),
        ],
        original_url=url,
        original_publisher_url=url,
    )
    assert [(a.url, a.archive_url) for a in page.appearances.all()] == [
        ("https://social.example/p/2", "")
    ]
    page.refresh_from_db()
    assert (page.original_url, page.original_publisher_url) == ("", "")


def test_factcheck_add_appearances_drops_hostile_ones(make_factcheck) -> None:
    page = make_factcheck(locale="en", slug="add")
    update = services.factcheck_add_appearances(
        page=page,
        appearances=[services.AppearanceData(url=u) for u in HOSTILE]
        + [services.AppearanceData(url="https://social.example/p/3")],
    )
    assert update.added == 1
    assert all(a.url.startswith("https://social.example/") for a in page.appearances.all())


@pytest.mark.parametrize("url", HOSTILE)
def test_sightings_never_store_a_hostile_url(matcher, url) -> None:
    claim = services.claim_create(
        text="The dinar will be abolished next month, says a post",
        sighting=services.SightingData(source="manual", url=url),
    )
    assert list(claim.sightings.values_list("url", flat=True)) == [""]


@pytest.mark.parametrize("url", HOSTILE)
def test_tip_submit_refuses_a_hostile_url(matcher, newsroom, url) -> None:
    with pytest.raises(services.ClaimActionError):
        services.tip_submit(text="Cjepiva sadrže mikročipove", url=url, language="hr")
    assert not Tip.objects.exists() and not Claim.objects.exists()


class _NoFetch:
    @staticmethod
    def enqueue(tip_id: int) -> None:
        pass


def test_tip_fetch_result_with_a_hostile_canonical_keeps_the_tip_url(
    matcher, newsroom, monkeypatch
):
    import ingest.tasks

    monkeypatch.setattr(ingest.tasks, "tip_fetch_url", _NoFetch())  # the fetch "happens" below
    tip = services.tip_submit(url="https://portal.example/post", language="hr")
    services.tip_record_fetch(
        tip=tip, url="javascript:alert(document.cookie)//", title="Vakcine sadrže čipove portal"
    )
    tip.refresh_from_db()
    assert list(tip.claim.sightings.values_list("url", flat=True)) == [
        "https://portal.example/post"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pass@example.com/post",
        "https://trusted.example@example.com/post",
    ],
)
def test_tip_form_refuses_credentials(client, matcher, newsroom, url) -> None:
    response = client.post("/en/tips/", {"url": url})
    assert response.status_code == 400
    assert not Tip.objects.exists()


# ------------------------------------------------------------ editor blocks


@pytest.mark.parametrize(
    "url",
    ["https://user:pass@source.example/doc", "ftp://files.example/doc", "javascript:alert(1)"],
)
def test_evidence_block_accepts_only_http_urls(url) -> None:
    from claims.blocks import EvidenceBlock

    block = EvidenceBlock()
    for field in ("url", "archive_url"):
        value = block.to_python({"title": "Source", field: url})
        with pytest.raises(ValidationError):
            block.clean(value)
    good = block.to_python({"title": "Source", "url": "https://source.example/doc"})
    assert block.clean(good)["url"] == "https://source.example/doc"
