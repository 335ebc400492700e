"""``/sitemap.xml`` lists each page's translations and script mirror as hreflang alternates."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def _path(url: str) -> str:
    """URLs are compared by path: the host is the Wagtail site's."""
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc, url
    return parts.path


def _sitemap(client) -> dict[str, dict[str, str]]:
    """loc -> {hreflang: href} for every <url>, as paths."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    out = {}
    for url in root.findall("s:url", NS):
        loc = _path(url.findtext("s:loc", namespaces=NS))
        assert loc not in out, f"{loc} listed twice"
        out[loc] = {
            link.get("hreflang"): _path(link.get("href"))
            for link in url.findall("x:link", NS)
            if link.get("rel") == "alternate"
        }
    return out


def test_translations_list_each_other_and_themselves(client, make_factcheck) -> None:
    original = make_factcheck(locale="en", slug="five-g", title="5G does not spread viruses")
    make_factcheck(locale="hr", slug="pet-g", title="5G ne širi virus", translation_of=original)
    make_factcheck(locale="mk", slug="pet-g", title="5G не шири вирус", translation_of=original)
    urls = _sitemap(client)
    expected = {
        "en": "/en/fact-checks/five-g/",
        "hr": "/hr/fact-checks/pet-g/",
        "mk": "/mk/fact-checks/pet-g/",
        "x-default": "/en/fact-checks/five-g/",
    }
    for code in ("en", "hr", "mk"):
        assert urls[expected[code]] == expected


def test_script_mirror_is_an_alternate_both_ways(client, make_factcheck) -> None:
    make_factcheck(
        locale="sr",
        slug="vakcine",
        title="Вакцине не садрже микрочипове",
        claim_reviewed="Вакцине садрже микрочипове",
    )
    urls = _sitemap(client)
    cyrillic = "/sr/fact-checks/vakcine/"
    latin = "/sr-latn/fact-checks/vakcine/"
    assert urls[cyrillic] == {"sr-Cyrl": cyrillic, "sr-Latn": latin}
    # The Latin rendering is an alias: listed as an alternate, not as a page of its own.
    assert latin not in urls


def test_latin_original_and_its_cyrillic_mirror(client, make_factcheck) -> None:
    make_factcheck(locale="sr-latn", slug="struja", title="Struja neće poskupeti")
    urls = _sitemap(client)
    latin = "/sr-latn/fact-checks/struja/"
    assert urls[latin] == {"sr-Cyrl": "/sr/fact-checks/struja/", "sr-Latn": latin}


def test_home_pages_link_every_locale(client, newsroom) -> None:
    from django.conf import settings

    urls = _sitemap(client)
    home = urls["/en/"]
    tags = set(settings.FACTCHECK_LANGUAGE_TAGS.values()) | {"x-default"}
    assert set(home) == tags
    assert home["sr-Latn"] == "/sr-latn/" and home["cnr"] == "/cnr/"


def test_untranslated_page_has_no_alternates_and_imported_pages_are_left_out(
    client, make_factcheck
) -> None:
    make_factcheck(locale="hr", slug="cjepivo")
    make_factcheck(
        locale="hr",
        slug="uvezeno",
        original_url="https://faktograf.example/uvezeno",
        original_publisher="Faktograf",
    )
    urls = _sitemap(client)
    assert urls["/hr/fact-checks/cjepivo/"] == {}
    # Its canonical is the publisher's page: a sitemap lists canonical URLs only.
    assert "/hr/fact-checks/uvezeno/" not in urls
