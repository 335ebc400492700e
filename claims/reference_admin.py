"""Reference data in the admin: rating scales (with their ratings), topics, countries, authors.

Registered from ``wagtail_hooks``. Permissions are Django model permissions, given to the
newsroom groups by migrations: only Editors may add, change or delete rating scales.
A rating that a fact-check uses cannot be deleted, neither alone (the scale form refuses)
nor with its scale (the delete views refuse, with a message instead of a server error);
editors retire it instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Author, Country, FactCheckPage, RatingScale, Topic


def ratings_in_use(ratings) -> dict[int, int]:
    """{rating pk: number of fact-checks using it} for those in use."""
    rows = (
        FactCheckPage.objects.filter(rating__in=ratings)
        .values("rating_id")
        .annotate(n=Count("pk"))
        .values_list("rating_id", "n")
    )
    return dict(rows)


class RatingScaleForm(WagtailAdminModelForm):
    """Refuses to delete a rating that fact-checks use; tells the editor to retire it."""

    def is_valid(self):
        valid = super().is_valid()
        formset = self.formsets.get("ratings")
        if formset is None or not formset.is_bound:
            return valid
        doomed = [
            form.instance
            for form in formset.forms
            if form.instance.pk
            and hasattr(form, "cleaned_data")
            and formset._should_delete_form(form)
        ]
        used = ratings_in_use(doomed) if doomed else {}
        for rating in doomed:
            if rating.pk in used:
                self.add_error(
                    None,
                    ngettext(
                        "“%(label)s” is used by %(count)d fact-check and cannot be deleted. "
                        "Tick “retired” instead to hide it from new fact-checks.",
                        "“%(label)s” is used by %(count)d fact-checks and cannot be deleted. "
                        "Tick “retired” instead to hide it from new fact-checks.",
                        used[rating.pk],
                    )
                    % {"label": rating.label, "count": used[rating.pk]},
                )
                valid = False
        return valid


@hooks.register("before_delete_snippet")
def refuse_deleting_scales_in_use(request, instances):
    """Deleting a scale deletes its ratings: refuse while any fact-check uses one."""
    scales = [obj for obj in instances if isinstance(obj, RatingScale)]
    if not scales:
        return None
    counts = dict(
        FactCheckPage.objects.filter(rating__scale__in=scales)
        .values("rating__scale")
        .annotate(n=Count("pk"))
        .values_list("rating__scale", "n")
    )
    blocked = [scale for scale in scales if counts.get(scale.pk)]
    if not blocked:
        return None
    for scale in blocked:
        messages.error(
            request,
            ngettext(
                "The rating scale “%(scale)s” cannot be deleted: %(count)d fact-check uses "
                "its ratings. Retire the ratings instead.",
                "The rating scale “%(scale)s” cannot be deleted: %(count)d fact-checks use "
                "its ratings. Retire the ratings instead.",
                counts[scale.pk],
            )
            % {"scale": scale, "count": counts[scale.pk]},
        )
    target = AdminURLFinder(request.user).get_edit_url(blocked[0])
    return HttpResponseRedirect(target or reverse("wagtailadmin_home"))


class RatingScaleViewSet(SnippetViewSet):
    model = RatingScale
    icon = "tasks"
    menu_label = _("Rating scales")
    list_display = ["name", "key", "locale", Column("rating_count", label=_("Ratings"))]
    list_filter = ["locale"]
    search_fields = ["name", "key"]
    edit_handler = ObjectList(RatingScale.panels, base_form_class=RatingScaleForm)

    def get_queryset(self, request):
        return RatingScale.objects.annotate(rating_count=Count("ratings"))


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["name", "key", "locale"]
    list_filter = ["locale"]
    search_fields = ["name", "key"]


class CountryViewSet(SnippetViewSet):
    model = Country
    icon = "globe"
    menu_label = _("Countries")
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = _("Authors")
    list_display = ["name", "role", BooleanColumn("user", label=_("Admin account"))]
    search_fields = ["name", "role"]


class ReferenceDataGroup(SnippetViewSetGroup):
    items = (RatingScaleViewSet, TopicViewSet, CountryViewSet, AuthorViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Reference data")
    menu_name = "reference-data"
    menu_order = 170
