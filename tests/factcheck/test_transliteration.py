import pytest

from factcheck.transliteration import transliterate_html, transliterate_text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Вучић и Ђоковић</p>", "<p>Vučić i Đoković</p>"),
        ("<p>ЉУБИША Џеп Њива</p>", "<p>LJUBIŠA Džep Njiva</p>"),
        # Links keep their target; only the readable text changes.
        (
            '<a href="https://пример.срб/вест">вест</a>',
            '<a href="https://пример.срб/вест">vest</a>',
        ),
        # A URL written in the text stays as written.
        (
            "<p>Види https://пример.срб/а и www.пример.срб</p>",
            "<p>Vidi https://пример.срб/а i www.пример.срб</p>",
        ),
        ("<p>пишите на уредник@пример.срб</p>", "<p>pišite na уредник@пример.срб</p>"),
        # Code, scripts and anything marked translate="no" stay untouched.
        ("<p>код <code>ћао()</code> крај</p>", "<p>kod <code>ћао()</code> kraj</p>"),
        (
            '<script type="application/ld+json">{"a": "ћ"}</script>',
            '<script type="application/ld+json">{"a": "ћ"}</script>',
        ),
        (
            '<nav translate="no"><a>Српски</a><span><a>ћ</a></span></nav><p>ћ</p>',
            '<nav translate="no"><a>Српски</a><span><a>ћ</a></span></nav><p>ć</p>',
        ),
        # Readable attributes are transliterated; entities survive.
        ('<img alt="Слика моста" src="/мост.jpg">', '<img alt="Slika mosta" src="/мост.jpg">'),
        ("<p>Чак &amp; још &#8220;више&#8221;</p>", "<p>Čak &amp; još &#8220;više&#8221;</p>"),
        ("<p>Latin original stays</p>", "<p>Latin original stays</p>"),
    ],
)
def test_transliterate_html(source, expected):
    assert transliterate_html(source) == expected


def test_transliterate_text_keeps_urls_inside_sentences():
    text = "Извор: https://rts.example/вести/1 (приступљено)"
    assert transliterate_text(text) == "Izvor: https://rts.example/вести/1 (pristupljeno)"


def test_malformed_html_is_kept_not_lost():
    out = transliterate_html("<p>Мост <b>пао</p> <unclosed attr='ћ")
    assert out.startswith("<p>Most <b>pao</p>")
    assert out.endswith("<unclosed attr='ć")  # kept, read as text
