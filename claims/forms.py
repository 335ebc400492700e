"""Forms: the public tip form and the claim page's action forms (parsing only)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from sources.urls import UnsafeURLError, check_http_url

from .models import Claim, FactCheckPage, Platform

MAX_TIP_TEXT = 5000
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_PRIVATE_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home.arpa")


def url_is_public(url: str) -> bool:
    """A quick check for a clear message; ``ingest.http``'s guard re-checks every hop."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    allowed = {h.lower() for h in settings.FACTCHECK_FETCH_ALLOW_HOSTS}
    if host in allowed:
        return True
    if not host or host == "localhost" or host.endswith(_PRIVATE_SUFFIXES) or "." not in host:
        return False
    if host.replace(".", "").isdigit() or host.startswith("0x"):
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False  # numeric forms such as 2130706433 or 0x7f.1
        return address.is_global
    try:
        return ipaddress.ip_address(host.strip("[]")).is_global
    except ValueError:
        return True


class TipForm(forms.Form):
    text = forms.CharField(
        label=_("What is the claim?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TIP_TEXT}),
        help_text=_("Quote it as you saw it. Plain text, up to 5,000 characters."),
    )
    url = forms.URLField(
        label=_("Where did you see it?"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text=_("A link to the post or article (optional)."),
    )
    contact = forms.CharField(
        label=_("Your email or phone (optional)"),
        required=False,
        max_length=255,
        help_text=_("Only if you want us to get back to you."),
    )
    # Hidden from people by CSS; bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def clean_text(self) -> str:
        text = self.cleaned_data.get("text", "").strip()
        if len(text) > MAX_TIP_TEXT:
            raise forms.ValidationError(
                _("The text is too long: please keep it under %(max)s characters.")
                % {"max": f"{MAX_TIP_TEXT:,}"}
            )
        if _TAG.search(text):
            raise forms.ValidationError(
                _("Please send plain text: HTML or <script> tags are not accepted.")
            )
        return text

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "").strip()
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise forms.ValidationError(_("Only http and https links can be checked."))
        if url:
            # The rule for every URL we store (sources.urls): also no credentials
            # (user:password@host), no control characters. Django's own message.
            try:
                url = check_http_url(url, max_length=1000)
            except UnsafeURLError:
                raise forms.ValidationError(_("Enter a valid URL.")) from None
        if url and not url_is_public(url):
            raise forms.ValidationError(
                _("This address is on a private network. We can only check public web pages.")
            )
        return url

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("text") and not cleaned.get("url"):
            raise forms.ValidationError(_("Tell us the claim, or give a link to where you saw it."))
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ManualClaimForm(forms.Form):
    text = forms.CharField(
        label=_("Claim"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    url = forms.URLField(
        label=_("Where it appeared"), required=False, max_length=1000, assume_scheme="https"
    )
    platform = forms.ChoiceField(choices=Platform.choices, initial=Platform.WEB)
    language = forms.ChoiceField(choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE)
    claimant = forms.CharField(required=False, max_length=255)


class AssignClaimForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
        )


class MergeClaimForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Claim.objects.exclude(status="merged"),
        widget=forms.NumberInput,
        label=_("Merge into claim #"),
    )


class PriorityForm(forms.Form):
    priority = forms.FloatField(required=False, min_value=0, max_value=1000)


class DismissClaimForm(forms.Form):
    reason = forms.CharField(max_length=2000)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=10_000)


class StartFactCheckForm(forms.Form):
    locale = forms.ChoiceField(choices=settings.LANGUAGES)


# --- The queue's bulk actions (``claims.actions``) ------------------------------------


def _staff():
    return get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), label=_("Assign to")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff()


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DebunkedForm(forms.Form):
    factcheck = forms.ModelChoiceField(
        queryset=FactCheckPage.objects.none(), label=_("Already debunked by")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factcheck"].queryset = (
            FactCheckPage.objects.live().filter(alias_of__isnull=True).order_by("title")
        )
