"""StreamField blocks for fact-check bodies and plain pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from sources.urls import safe_http_url

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "blockquote"]


class EvidenceBlock(blocks.StructBlock):
    """A source the verdict rests on: what it is, who published it, where to read it."""

    title = blocks.CharBlock(label=_("Source title"))
    url = blocks.URLBlock(required=False, label=_("Link"))
    publisher = blocks.CharBlock(required=False, label=_("Publisher"))
    date = blocks.DateBlock(required=False, label=_("Date"))
    archive_url = blocks.URLBlock(required=False, label=_("Archived copy"))
    description = blocks.TextBlock(required=False, label=_("What it shows"))

    class Meta:
        icon = "doc-full"
        template = "components/streamfield/evidence_block.html"
        label = _("Evidence / source")

    def clean(self, value):
        """URLBlock also takes ``ftp:`` and ``user:password@`` links: the page links only
        http(s) URLs without credentials (``sources.urls``), so the editor says so now.
        (A method, not a block option, so the StreamField definition is unchanged.)"""
        value = super().clean(value)
        errors = {
            name: ValidationError(_("Enter a valid URL."))
            for name in ("url", "archive_url")
            if value.get(name) and not safe_http_url(value[name])
        }
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(required=False, label=_("Attribution"))

    class Meta:
        icon = "openquote"
        template = "components/streamfield/quote_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=True,
        label=_("Alt text"),
        help_text=_("Describe the image for readers who cannot see it."),
    )
    caption = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"
        template = "components/streamfield/image_block.html"


class FactCheckBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))
    evidence = EvidenceBlock()
    quote = QuoteBlock()
    image = ImageBlock()
    embed = EmbedBlock(help_text=_("A post or video, e.g. from YouTube."))


class PlainPageBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))
    quote = QuoteBlock()
    image = ImageBlock()
