"""How one JSON-LD value is read: text, numbers, dates, language tags, types.

Shared by ``parse``/``record`` (reading), ``build`` (writing) and ``validate``.
Functions here never raise on publisher input: what cannot be read is ``""`` or
``None``, and the caller decides whether that is an error, a warning or nothing.

Text
----
Every text value is cleaned the same way: HTML character references are
unescaped *until stable* (at most three passes, and only well-formed ones ending
in ``;``) because CMSs double-escape (``&amp;#8220;`` is common in WordPress
output); a stray tag (``<br />``) becomes a space; whitespace runs (``\\r\\n``,
tabs, no-break spaces) collapse to one space; the result is NFC-normalised. The
price of unescaping until stable is that a claim *about* entities
(``"&amp;amp; means &"``) loses one level of escaping, which no fact-check in
our languages needs. Dates are the calendar date as written by the publisher
(the time and the UTC offset are dropped, not converted). ``inLanguage`` is left
``None`` when absent: the caller decides the language (outlet metadata first,
see ``docs/languages.md``), never this parser.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MAX_UNESCAPE_PASSES = 3


def clean_text(value: Any) -> str:
    """Clean one text value (see "Text" in the module docstring); ``""`` when absent."""
    value = scalar(value)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return ""
    text = value
    for _ in range(_MAX_UNESCAPE_PASSES):
        unescaped = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
        if unescaped == text:
            break
        text = unescaped
    text = _TAG.sub(" ", text).replace("\ufeff", "").replace("\u200b", "")
    return unicodedata.normalize("NFC", " ".join(text.split()))


NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")

ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s].*)?")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\.?(?:\s.*)?")  # 14.03.2024.


def parse_date(value: Any) -> dt.date | None:
    """The calendar date as written: ISO date/datetime or ``14.03.2024.``; ``None`` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if match := ISO_DATE.fullmatch(text):
            year, month, day = match.groups()
        elif match := _DOTTED_DATE.fullmatch(text):
            day, month, year = match.groups()
        else:
            return None
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def language_tag(tag: str | None) -> str | None:
    """BCP 47 casing: ``sr_latn_rs`` -> ``sr-Latn-RS``."""
    if not tag:
        return None
    subtags = [s for s in re.split(r"[-_\s]+", tag.strip()) if s]
    if not subtags:
        return None
    out = [subtags[0].lower()]
    for sub in subtags[1:]:
        if len(sub) == 4 and sub.isalpha():
            out.append(sub.title())
        elif (len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit()):
            out.append(sub.upper())
        else:
            out.append(sub.lower())
    return "-".join(out)


def scalar(value: Any) -> Any:
    """Unwrap a JSON-LD value object ``{"@value": ...}``."""
    if isinstance(value, Mapping) and "@value" in value:
        return value["@value"]
    return value


def as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def first_value(value: Any) -> Any:
    items = as_list(value)
    return items[0] if items else None


def first_mapping(value: Any) -> Mapping | None:
    return next((v for v in as_list(value) if isinstance(v, Mapping)), None)


def node_types(node: Mapping) -> list[str]:
    """Type names with any ``schema:`` / ``http://schema.org/`` prefix removed."""
    raw = node.get("@type", node.get("type"))
    return [re.split(r"[/:#]", t.strip())[-1] for t in as_list(raw) if isinstance(t, str)]


def has_type(node: Mapping, name: str) -> bool:
    return name.lower() in (t.lower() for t in node_types(node))
