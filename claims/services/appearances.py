"""Where a debunked claim appeared: the appearances a fact-check's ClaimReview lists.

``factcheck_add_appearances`` is how a confirmed match reaches the page: as a new
revision, published only if the user may publish it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page

from sources.urls import safe_http_url

from ..models import Claim, ClaimAppearance, FactCheckPage
from .errors import ClaimActionError

#: URL columns (ClaimAppearance, ClaimSighting, Tip, FactCheckPage.original_url) hold 1,000.
MAX_URL_CHARS = 1000


@dataclass
class AppearanceData:
    """Where a claim appeared. ``url``/``archive_url`` that are not http(s) URLs
    (``sources.urls``: no ``javascript:``, credentials, ...) become "" here, and an
    appearance without a URL is never stored."""

    url: str
    platform: str = "web"
    date: date | None = None
    archive_url: str = ""

    def __post_init__(self) -> None:
        self.url = safe_http_url(self.url, max_length=MAX_URL_CHARS)
        self.archive_url = safe_http_url(self.archive_url, max_length=MAX_URL_CHARS)


class AppearanceOutcome:
    """What ``factcheck_add_appearances`` did with the fact-check page."""

    UNCHANGED = "unchanged"  # every URL was listed already: no revision
    PUBLISHED = "published"  # a new revision is live
    SUBMITTED = "submitted"  # a new revision waits in the review workflow
    SAVED = "saved"  # a new revision was saved as a draft (unpublished page, or no workflow)


@dataclass
class AppearanceUpdate:
    added: int
    outcome: str


def lock_factcheck(page_id: int) -> FactCheckPage:
    """Lock a fact-check's page row (the original's, for an alias) and return it fresh.

    Everything that rewrites a page's appearances holds this lock until it commits, so two
    confirms of the same fact-check serialise and the second builds on the first.
    """
    original = Page.objects.filter(pk=page_id).values_list("alias_of_id", flat=True).first()
    pk = original or page_id
    if not list(Page.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True)):
        raise ClaimActionError(_("This fact-check no longer exists."))
    return FactCheckPage.objects.get(pk=pk)


def _with_appearances(page: FactCheckPage, new: Sequence[AppearanceData]) -> FactCheckPage:
    """``page`` (a live page or a revision's object) with ``new`` appended to its appearances."""
    current = list(page.appearances.all())
    added = [
        ClaimAppearance(url=a.url[:1000], platform=a.platform, date=a.date,
                        archive_url=a.archive_url or "")
        for a in new
    ]  # fmt: skip
    for position, appearance in enumerate(current + added):
        appearance.sort_order = position
    page.appearances = current + added
    return page


@transaction.atomic
def factcheck_add_appearances(
    *, page: FactCheckPage, appearances: Iterable[AppearanceData], user=None
) -> AppearanceUpdate:
    """Add appearances to a fact-check as a new revision, published only if ``user`` may.

    The page's ClaimReview lists every appearance, so partners see where the debunked
    claim resurfaced. URLs already in the page's latest revision are skipped.

    * The page row is locked (``select_for_update``) for the rest of the transaction, and
      the revision is built from the page's **latest** revision: a pending draft is never
      overwritten, and two confirms at once both land.
    * ``user`` None (a command, a task) or a user with ``publish_page`` on the page: the
      live content plus the appearances is published. A pending draft is not published
      with it: the appearances are added to it as a new latest revision, which stays a
      draft (and is what an in-progress workflow approves).
    * A user who may not publish (a fact-checker): the new revision is submitted to the
      page's review workflow, or joins the review already in progress. With no workflow
      (or one waiting for changes) it stays a draft for an editor.
    * A page that is not live: the revision is saved as a draft.
    """
    page = lock_factcheck(page.pk)
    latest_revision = page.latest_revision
    latest = latest_revision.as_object() if latest_revision else page
    known = {a.url for a in latest.appearances.all()}
    new: list[AppearanceData] = []
    for appearance in appearances:
        if appearance.url and appearance.url not in known:
            known.add(appearance.url)
            new.append(appearance)
    if not new:
        return AppearanceUpdate(0, AppearanceOutcome.UNCHANGED)

    can_publish = user is None or page.permissions_for_user(user).can_publish()
    if page.live and can_publish:
        pending = latest_revision if page.has_unpublished_changes else None
        live = page.live_revision.as_object() if page.live_revision_id else page
        revision = _with_appearances(live, new).save_revision(user=user, log_action=True)
        revision.publish(user=user)
        if pending is not None:
            page = FactCheckPage.objects.get(pk=page.pk)
            draft = type(pending).objects.get(pk=pending.pk).as_object()
            _with_appearances(draft, new).save_revision(user=user, log_action=True, clean=False)
        return AppearanceUpdate(len(new), AppearanceOutcome.PUBLISHED)

    _with_appearances(latest, new).save_revision(user=user, log_action=True, clean=False)
    if not page.live:
        return AppearanceUpdate(len(new), AppearanceOutcome.SAVED)
    page = FactCheckPage.objects.get(pk=page.pk)
    state = page.current_workflow_state
    if state is not None and state.status == state.STATUS_IN_PROGRESS:
        # The approval publishes the latest revision: the one just saved.
        return AppearanceUpdate(len(new), AppearanceOutcome.SUBMITTED)
    workflow = page.get_workflow() if state is None else None
    if workflow is not None:
        workflow.start(page, user)
        return AppearanceUpdate(len(new), AppearanceOutcome.SUBMITTED)
    return AppearanceUpdate(len(new), AppearanceOutcome.SAVED)


def appearances_of(claim: Claim) -> list[AppearanceData]:
    return [
        AppearanceData(
            url=s.url,
            platform=s.platform,
            date=(s.published_at or s.seen_at).date() if (s.published_at or s.seen_at) else None,
        )
        for s in claim.sightings.exclude(url="").order_by("seen_at", "pk")
        if safe_http_url(s.url)
    ]
