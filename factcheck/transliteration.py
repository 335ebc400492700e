"""Render Serbian Cyrillic content in Latin script for readers of the ``sr-latn`` site.

Cyrillic to Latin is lossless, so a fact-check written once in Cyrillic can be read
in either script. We transliterate the rendered HTML's text nodes and human-readable
attributes only: markup, ``href``/``src``, ``<script>``/``<style>``, code blocks,
anything marked ``translate="no"`` and URL-looking words stay exactly as written.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from search import to_latin

SKIP_TAGS = frozenset({"script", "style", "code", "pre", "kbd", "samp", "textarea", "var"})
VOID_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
TEXT_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "content", "label")
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_ATTR = re.compile(
    r"(\s(?:" + "|".join(TEXT_ATTRIBUTES) + r")\s*=\s*)(\"[^\"]*\"|'[^']*')", re.IGNORECASE
)
_HAS_CYRILLIC = re.compile("[\u0400-\u04ff]")


def transliterate_text(text: str, language: str = "sr") -> str:
    """Cyrillic to Latin, leaving URLs and e-mail addresses untouched."""
    if not _HAS_CYRILLIC.search(text):
        return text
    out, last = [], 0
    for match in sorted(
        list(_URL.finditer(text)) + list(_EMAIL.finditer(text)), key=lambda m: m.start()
    ):
        if match.start() < last:
            continue
        out.append(to_latin(text[last : match.start()], language))
        out.append(match.group(0))
        last = match.end()
    out.append(to_latin(text[last:], language))
    return "".join(out)


class _Transliterator(HTMLParser):
    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=False)
        self.language = language
        self.out: list[str] = []
        self.skip_tag: str | None = None
        self.skip_depth = 0

    def _starttag_text(self) -> str:
        raw = self.get_starttag_text() or ""
        if self.skip_tag or not _HAS_CYRILLIC.search(raw):
            return raw
        return _ATTR.sub(
            lambda m: (
                m.group(1)
                + m.group(2)[0]
                + transliterate_text(m.group(2)[1:-1], self.language)
                + m.group(2)[-1]
            ),
            raw,
        )

    def handle_starttag(self, tag, attrs):
        self.out.append(self._starttag_text())
        if tag in VOID_TAGS:
            return
        if self.skip_tag:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        if tag in SKIP_TAGS or dict(attrs).get("translate") == "no":
            self.skip_tag, self.skip_depth = tag, 1

    def handle_startendtag(self, tag, attrs):
        self.out.append(self._starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        if self.skip_tag == tag:
            self.skip_depth -= 1
            if self.skip_depth == 0:
                self.skip_tag = None

    def handle_data(self, data):
        self.out.append(data if self.skip_tag else transliterate_text(data, self.language))

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")


def transliterate_html(html: str, language: str = "sr") -> str:
    """Transliterate the readable text of an HTML document or fragment to Latin."""
    if not _HAS_CYRILLIC.search(html):
        return html
    parser = _Transliterator(language)
    parser.feed(html)
    parser.close()
    if parser.rawdata:  # an unterminated tag at the very end: keep it as written
        parser.out.append(parser.rawdata)
    return "".join(parser.out)
