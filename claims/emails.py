"""Emails to newsroom staff. The backend comes from settings (console by default)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _


def send_assignment_email(*, claim_id: int, assignee_id: int, assigned_by_id: int | None) -> int:
    """Tell a fact-checker a claim was assigned to them. Returns the number of mails sent."""
    from .models import Claim

    user_model = get_user_model()
    claim = Claim.objects.filter(pk=claim_id).first()
    assignee = user_model.objects.filter(pk=assignee_id).first()
    if claim is None or assignee is None or not assignee.email:
        return 0
    by = user_model.objects.filter(pk=assigned_by_id).first() if assigned_by_id else None
    base = settings.WAGTAILADMIN_BASE_URL or settings.FACTCHECK_SITE_URL
    link = base.rstrip("/") + reverse("claims_admin:detail", args=[claim.pk])
    subject = _("Claim #%(pk)s assigned to you") % {"pk": claim.pk}
    lines = [
        _("%(who)s assigned you a claim:")
        % {"who": by.get_username() if by else _("The newsroom")},
        "",
        claim.text[:500],
        "",
        _("Sightings: %(n)s · priority: %(p)s") % {"n": claim.sighting_count, "p": claim.priority},
        link,
    ]
    return send_mail(subject, "\n".join(lines), None, [assignee.email], fail_silently=False)
