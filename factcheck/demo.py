"""Loads the demo newsroom (``fixtures/demo/newsroom.json``): invented, clearly marked content.

Idempotent: loading twice changes nothing, because every write goes through the
upsert services, which only publish a new revision when something differs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from claims import services
from claims.models import Rating

DEMO_PATH = settings.BASE_DIR / "fixtures" / "demo" / "newsroom.json"
DEMO_AUTHORS = [("Ana Demo", "Fact-checker (demo)"), ("Marko Primjer", "Editor (demo)")]

# Queue items as ingest and tips would bring them in: recurrences of demo hoaxes in other
# languages and scripts (the matcher links them to the debunk) and claims nobody checked yet.
DEMO_CLAIMS = [
    (
        "mk",
        "telegram",
        "https://t.me/s/demo_vesti_mk/1042",
        "5G антените ширеа вирус и затоа болниците се полни, никој не ви кажува!",
    ),
    (
        "sr-latn",
        "facebook",
        "https://facebook.example/posts/5g-virus-srbija",
        "Nove 5G antene u Nišu šire virus i ljudi masovno obolevaju, proširite dok ne obrišu",
    ),
    (
        "sq",
        "tiktok",
        "https://tiktok.example/@lajme_demo/video/771",
        "Banka Qendrore dërgon SMS: llogaritë do të bllokohen nëse nuk konfirmoni PIN-in sot",
    ),
    (
        "hr",
        "web",
        "https://portal-demo.example/vijesti/struja-poskupljuje",
        "Od siječnja struja poskupljuje 40 posto za sva kućanstva u Hrvatskoj",
    ),
    (
        "bs",
        "viber",
        "",
        "Poruka kruži Viberom: voda iz gradskog vodovoda u Tuzli je zatrovana, ne pijte je",
    ),
    (
        "en",
        "x",
        "https://x.example/demo_account/status/1881",
        "Lithium mine near Loznica has already poisoned the Drina, photos prove it",
    ),
]


@dataclass
class DemoSummary:
    factchecks_created_or_changed: int = 0
    factchecks_unchanged: int = 0
    pages: int = 0
    outlets: int = 0
    claims: int = 0
    locales: list[str] = field(default_factory=list)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _body(blocks: list[dict]) -> list[dict]:
    from django.utils.html import escape

    out = []
    for block in blocks:
        kind = block.get("type")
        if kind == "paragraph":
            out.append({"type": "paragraph", "value": f"<p>{escape(block['text'])}</p>"})
        elif kind == "quote":
            out.append(
                {
                    "type": "quote",
                    "value": {"text": block["text"], "attribution": block.get("attribution", "")},
                }
            )
        elif kind == "evidence":
            out.append(
                {
                    "type": "evidence",
                    "value": {
                        "title": block.get("title", ""),
                        "url": block.get("url", ""),
                        "publisher": block.get("publisher", ""),
                        "date": block.get("date"),
                        "archive_url": block.get("archive_url", "") or "",
                        "description": block.get("description", ""),
                    },
                }
            )
    return out


@transaction.atomic
def demo_load(path: Path = DEMO_PATH) -> DemoSummary:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    summary = DemoSummary()
    homes = services.site_ensure_structure()
    summary.locales = sorted(homes)

    for scale in data["rating_scales"]:
        services.rating_scale_upsert(
            key=scale["key"],
            names=scale["name"],
            descriptions=scale.get("description"),
            ratings=scale["ratings"],
        )
    for topic in data.get("topics", []):
        services.topic_upsert(key=topic["key"], names=topic["name"])
    summary.outlets = _load_outlets(data.get("outlets", []))

    for slug, per_locale in data.get("pages", {}).items():
        for code, content in per_locale.items():
            if code not in homes:
                continue
            services.standard_page_upsert(
                home=homes[code],
                slug=slug,
                title=content["title"],
                intro=content.get("intro", ""),
                paragraphs=content.get("body", []),
            )
            summary.pages += 1

    authors = [services.author_get_or_create(name=n, role=r) for n, r in DEMO_AUTHORS]
    created: dict[tuple[str, str], object] = {}
    # Originals first, so translations can share their translation key.
    entries = sorted(data["factchecks"], key=lambda e: bool(e.get("translation_of")))
    for entry in entries:
        code = entry["locale"]
        index = services.index_for(locale_code=code)
        rating = Rating.objects.get(
            scale__key=entry["scale"], key=entry["rating"], locale__language_code=code
        )
        original = None
        if entry.get("translation_of"):
            ref = entry["translation_of"]
            original = created.get((ref["locale"], ref["slug"]))
        page, changed = services.factcheck_upsert(
            index=index,
            slug=entry["slug"],
            title=entry["title"],
            claim_reviewed=entry["claim_reviewed"],
            claimant=entry.get("claimant", ""),
            claimant_type=entry.get("claimant_type", "Organization"),
            claim_date=_date(entry.get("claim_date")),
            rating=rating,
            summary=entry["summary"],
            body=_body(entry.get("body", [])),
            appearances=[
                services.AppearanceData(
                    url=a["url"],
                    platform=a.get("platform", "web"),
                    date=_date(a.get("date")),
                    archive_url=a.get("archive_url") or "",
                )
                for a in entry.get("appearances", [])
            ],
            topic_keys=entry.get("topics", []),
            country_codes=entry.get("countries", []),
            authors=authors[:1],
            reviewer=authors[1],
            translation_of=original,
            is_demo=True,
        )
        created[(code, entry["slug"])] = page
        _backdate(page, entry.get("published"))
        if changed:
            summary.factchecks_created_or_changed += 1
        else:
            summary.factchecks_unchanged += 1
    summary.claims = _load_claims()
    return summary


def _load_claims() -> int:
    """Open the demo queue items (once: a claim already in the queue is left alone)."""
    import search
    from claims.indexing import factcheck_search_rebuild
    from claims.models import Claim
    from claims.selectors import factcheck_published_all
    from claims.services import SightingData, claim_create

    missing = [text for *_rest, text in DEMO_CLAIMS if not Claim.objects.filter(text=text).exists()]
    if not missing:
        return 0
    # The matcher needs the debunks in the index before it can suggest them.
    if search.get_backend().count() < factcheck_published_all().count():
        factcheck_search_rebuild()
    for language, platform, url, text in DEMO_CLAIMS:
        if text not in missing:
            continue
        claim_create(
            text=text,
            language=language,
            sighting=SightingData(source="manual", url=url, platform=platform, text=text),
        )
    return len(missing)


def _backdate(page, published: str | None) -> None:
    """Demo fact-checks carry the publication dates they were written with, not load time."""
    if not published:
        return
    from datetime import datetime, time

    from django.utils import timezone

    when = timezone.make_aware(datetime.combine(date.fromisoformat(published), time(9, 0)))
    if page.first_published_at != when:
        type(page).objects.filter(pk=page.pk).update(first_published_at=when)
        type(page).objects.filter(alias_of=page).update(first_published_at=when)


def _load_outlets(outlets: list[dict]) -> int:
    try:
        from sources.models import Outlet
    except ImportError:  # the sources app has no Outlet model yet
        return 0
    for outlet in outlets:
        Outlet.objects.update_or_create(
            name=outlet["name"],
            defaults={k: v for k, v in outlet.items() if k != "name" and hasattr(Outlet, k)},
        )
    return len(outlets)
