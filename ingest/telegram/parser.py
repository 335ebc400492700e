"""Parse a ``t.me/s/<channel>`` preview page. Pure: never fetches.

A post's URL is its permalink when that passes the http(s) rule (``sources.urls``),
else ``<base_url>/<channel>/<id>`` built from ``data-post``; a post whose channel
name is not a Telegram name is skipped.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from ingest.text import html_to_text
from ingest.types import parse_iso_datetime
from sources.urls import safe_http_url

from .exceptions import TelegramParseError, TelegramTargetError
from .types import TelegramPage, TelegramPost

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,63}$")


def channel_name(value: str) -> str:
    """'name', '@name', 't.me/name', 'https://t.me/s/name' -> 'name'."""
    value = value.strip()
    if "/" in value:
        path = urlsplit(value if "//" in value else "https://" + value).path.strip("/").split("/")
        value = path[1] if path and path[0] == "s" and len(path) > 1 else path[0]
    value = value.lstrip("@")
    if not _NAME.match(value):
        raise TelegramTargetError(f"not a Telegram channel name: {value!r}")
    return value


def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def parse_count(value: str) -> int | None:
    """'1,200' -> 1200, '15.3K' -> 15300, '1.2M' -> 1200000."""
    value = value.strip().replace(",", "").replace(" ", "")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KkMm]?)", value)
    if not match:
        return None
    number = float(match.group(1))
    factor = {"k": 1_000, "m": 1_000_000}.get(match.group(2).lower(), 1)
    return int(round(number * factor))


def parse_preview(html: str, *, base_url: str = "https://t.me") -> TelegramPage:
    if not html.strip():
        raise TelegramParseError("empty Telegram preview page")
    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise TelegramParseError(f"unparsable Telegram preview page: {exc}") from exc
    messages = tree.xpath(f"//div[{_cls('tgme_widget_message')}][@data-post]")
    if not messages and not tree.xpath(f"//*[{_cls('tgme_channel_history')}]"):
        raise TelegramParseError("not a Telegram channel preview (no message history)")
    page = TelegramPage()
    for node in messages:
        if "service_message" in (node.get("class") or ""):
            continue
        channel, _, post_id = (node.get("data-post") or "").partition("/")
        if not (post_id.isascii() and post_id.isdigit()) or not _NAME.fullmatch(channel):
            continue
        text_nodes = node.xpath(f".//div[{_cls('tgme_widget_message_text')}]")
        inner_html = ""
        if text_nodes:
            text_node = text_nodes[0]
            inner_html = (text_node.text or "") + "".join(
                etree.tostring(child, encoding="unicode") for child in text_node
            )
        date_link = node.xpath(f".//a[{_cls('tgme_widget_message_date')}]")
        permalink = safe_http_url(date_link[0].get("href")) if date_link else ""
        times = node.xpath(f".//a[{_cls('tgme_widget_message_date')}]//time/@datetime")
        views = node.xpath(f".//span[{_cls('tgme_widget_message_views')}]/text()")
        owner = node.xpath(f".//a[{_cls('tgme_widget_message_owner_name')}]//text()")
        meta = " ".join(node.xpath(f".//span[{_cls('tgme_widget_message_meta')}]//text()"))
        forwarded = node.xpath(f".//*[{_cls('tgme_widget_message_forwarded_from_name')}]//text()")
        page.posts.append(
            TelegramPost(
                channel=channel,
                post_id=int(post_id),
                url=permalink or f"{base_url.rstrip('/')}/{channel}/{post_id}",
                text=html_to_text(inner_html),
                html=inner_html,
                author="".join(owner).strip(),
                published_at=parse_iso_datetime(times[0] if times else None),
                views=parse_count(views[0]) if views else None,
                edited="edited" in meta.lower(),
                forwarded_from="".join(forwarded).strip(),
            )
        )
    more = tree.xpath(f"//a[{_cls('tme_messages_more')}]/@data-before")
    if more and more[0].isdigit():
        page.before = int(more[0])
    return page
