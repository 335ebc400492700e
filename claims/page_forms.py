"""The fact-check page's admin form: which ratings a fact-checker may pick.

Retired ratings are not offered, except the one the page already has (an old fact-check
keeps its verdict). Ratings in the page's locale are offered when there are any, and the
default rating scale from the newsroom settings comes first.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from wagtail.admin.forms import WagtailAdminPageForm


def rating_choices(*, locale_id=None, current_id=None, default_scale=None) -> QuerySet:
    from .models import Rating

    qs = Rating.objects.select_related("scale")
    if locale_id is not None and qs.filter(locale_id=locale_id).exists():
        qs = qs.filter(Q(locale_id=locale_id) | Q(pk=current_id))
    qs = qs.filter(Q(retired=False) | Q(pk=current_id))
    first = Value(1)
    if default_scale is not None:
        first = Case(
            When(scale__translation_key=default_scale.translation_key, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    return qs.annotate(default_first=first).order_by(
        "default_first", "scale__name", "sort_order", "pk"
    )


class FactCheckPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("rating")
        if field is None:
            return
        field.queryset = rating_choices(
            locale_id=self.instance.locale_id,
            current_id=self.instance.rating_id,
            default_scale=self._default_scale(),
        )

    def _default_scale(self):
        from .models import newsroom_settings_for

        page = self.parent_page or (self.instance if self.instance.pk else None)
        site = page.get_site() if page is not None else None
        if site is None:
            return None
        return newsroom_settings_for(site=site).default_rating_scale
