"""The queue list's cheaper rendering and queries (issue 12, "profile what remains").

The list's cells are written without a template each (``claims/viewsets.py``'s
``Plain*Column``): they must give the markup Wagtail's cell templates give. The status
filter must not make the list ``SELECT DISTINCT`` (PostgreSQL sorted every matching row).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn

from claims.models import Claim, ClaimStatus
from claims.viewsets import (
    ClaimQueueViewSet,
    PlainColumn,
    PlainDateColumn,
    PlainStatusTagColumn,
    PlainTitleColumn,
)

pytestmark = pytest.mark.django_db


def _normalise(html: str) -> str:
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*([<>])\s*", r"\1", html).strip()


def _both(plain, templated, instance) -> tuple[str, str]:
    context = {"row": None, "table": None, "request": None}
    return (
        _normalise(plain.render_cell_html(instance, context)),
        _normalise(templated.render_cell_html(instance, context)),
    )


@pytest.fixture
def claim(editor):
    return Claim.objects.create(
        text="Vaccines <contain> microchips & more",
        status=ClaimStatus.NEW,
        priority=12.5,
        sighting_count=3,
        engagement_total=12345,
        language="",
        assignee=editor,
        last_seen=timezone.now() - timedelta(hours=5),
    )


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("sighting_count", {}),
        ("engagement_total", {"classname": "w-text-right"}),
        ("language", {}),  # empty
        ("assignee", {}),
        ("priority", {"accessor": lambda c: f"<b>{c.priority}</b>"}),  # escaped
    ],
)
def test_plain_cells_match_wagtails_cell_template(claim, name, kwargs):
    plain, templated = _both(PlainColumn(name, **kwargs), Column(name, **kwargs), claim)
    assert plain == templated
    assert plain.startswith("<td")


def test_plain_status_date_and_title_cells_match_wagtails(claim, settings):
    primary = lambda c: c.status == ClaimStatus.NEW  # noqa: E731
    plain, templated = _both(
        PlainStatusTagColumn("status", accessor="get_status_display", primary=primary),
        StatusTagColumn("status", accessor="get_status_display", primary=primary),
        claim,
    )
    assert plain == templated and "w-status--primary" in plain

    plain, templated = _both(PlainDateColumn("last_seen"), DateColumn("last_seen"), claim)
    assert plain == templated and "hours ago" in plain and "datetime=" in plain

    claim.last_seen = None
    assert _both(PlainDateColumn("last_seen"), DateColumn("last_seen"), claim)[0] == "<td></td>"

    url = lambda c: f"/admin/claim-queue/{c.pk}/?a=1&b=2"  # noqa: E731
    plain, templated = _both(
        PlainTitleColumn("text", get_url=url), TitleColumn("text", get_url=url), claim
    )
    assert plain == templated
    assert "&lt;contain&gt;" in plain and "&amp;b=2" in plain


def test_the_queue_uses_the_plain_columns():
    kinds = {type(c) for c in ClaimQueueViewSet.list_display}
    assert kinds == {PlainTitleColumn, PlainStatusTagColumn, PlainColumn, PlainDateColumn}


def test_the_status_filter_selects_no_distinct_rows(client, editor):
    client.force_login(editor)
    now = timezone.now()
    Claim.objects.bulk_create(
        Claim(text=f"Status claim {i}", status=status, last_seen=now, first_seen=now)
        for i, status in enumerate([ClaimStatus.NEW, ClaimStatus.TRIAGED, ClaimStatus.DISMISSED])
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("claims_queue:list"), {"status": ["new", "triaged"]})
    html = response.content.decode()
    assert html.count('data-object-id="') == 2
    assert "Status claim 0" in html and "Status claim 1" in html and "Status claim 2" not in html
    listing = [q["sql"] for q in queries.captured_queries if 'FROM "claims_claim"' in q["sql"]]
    assert listing and not any("DISTINCT" in sql for sql in listing), listing


def test_the_queue_table_writes_the_rows_wagtails_table_writes(claim, rf, editor):
    from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Table

    from claims.viewsets import ClaimQueueTable

    other = Claim.objects.create(text="Second claim", status=ClaimStatus.DISMISSED)
    columns = [BulkActionsCheckboxColumn("bulk_actions", obj_type="snippet")]
    columns += ClaimQueueViewSet.list_display
    request = rf.get("/admin/claims/queue/")
    request.user = editor
    rows = [claim, other]
    ours = ClaimQueueTable(columns, rows).render_html({"request": request})
    wagtails = Table(columns, rows).render_html({"request": request})
    assert _normalise(ours) == _normalise(wagtails)
    assert f'data-object-id="{claim.pk}"' in ours and "Second claim" in ours
