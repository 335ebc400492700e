"""Stop-word lists per language, written in their *folded* form.

The lists are short on purpose: they hold function words (pronouns, auxiliaries,
prepositions, conjunctions, particles) that appear in nearly every document and
only cost time at query time (see ``research/search-engines.md``: FTS5 and BM25
engines slow down on near-ubiquitous words). Content words are never listed.

Every entry goes through :func:`search.normalize.fold` when the module is
imported, so the lists may be written in any script or with diacritics and still
compare equal with folded tokens.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


# Serbian / Croatian / Bosnian / Montenegrin, both ekavian and ijekavian forms.
_HBS = _words("""
a ako ali bi bih bila bili bilo bio bismo biste bit biti blizu bez da do dok
duz gdje gde i iako ih ili iz izmedju ja je jer jesam jesi jest jesu jos ka kad kada
kako kao koja koje koji kojih kojim kojima koju kroz li ma me mene meni mi mu
na nad nam nama nas ne nego neka neki nekog neku nema ni nije nisam nisi
niste nisu njega njegov njegova njegove njegovo njemu njen njena njene njeno
njih njihov njihova njihove njoj nju o od oko on ona one oni ono onda oko pa
po pod pored pre prije preko pri sa sam sami samo se sebe sebi si smo ste su
sve svi svoj svoja svoje svoju ta tada taj tako te tebe tebi ti to toga tome
tu u uz vam vama vas vec već vi za zar zbog ce će cu ću ces ćeš cemo ćemo cete ćete
ovaj ova ovo ove ovi ovog ovom sto što sta šta kojeg čiji ciji tog tom koja
""")

# Serbian Cyrillic spellings of the same words fold to the list above, so only
# Macedonian-specific function words need their own list.
_MK = _words("""
и во на се да не ќе го ги ја е се со за од до по како што кој која кое кои
тоа тој таа тие овој оваа ова овие тука таму но или ако кога каде зошто
сум си е сме сте се бил била било биле му ѝ им нив него неа мене тебе нас
вас ние вие јас ти тој меѓу преку при пред после без кон низ уште веќе само
""")

_BG = _words("""
и в във на се да не ще го ги я е със с за от до по като че който която което
които това този тази тези тук там но или ако когато къде защо съм си сме сте
са бил била било били му ѝ им тях него нея мен теб нас вас ние вие аз ти той
тя те между през при пред след без към още вече само
""")

_SQ = _words("""
a apo dhe e i te të në ne nga me për per se që qe do jam je është eshte jemi
jeni janë jane ka kanë kane kishte u si por edhe ky kjo këto keto ata ato ai
ajo unë une ti ne ju tij saj tyre mbi nën nen pa tek te deri kur ku pse çfarë
një nje cfare cili cila cilat cilët nëse nese vetëm vetem më me shumë shume pas para
""")

_SL = _words("""
in je so da ne na v za se z s iz po pa ali ali ker ki kot tudi pri od do bo
bi bil bila bilo bili sem si smo ste to ta ti te tega temu ki kaj kdo kje kdaj
zakaj ga ji jih mu njo njih jaz ti on ona ono mi vi oni med pred pod nad brez
""")

_EN = _words("""
a an and are as at be been being but by can could did do does for from had has
have he her hers him his how i if in into is it its me my no nor not of on or
our ours she so than that the their them then there these they this those to
too us was we were what when where which who whom why will with would you your
""")


def _fold_all(words: list[str]) -> frozenset[str]:
    # Imported lazily to avoid a circular import at module load time.
    from search.normalize import fold

    return frozenset(fold(w) for w in words)


STOP_WORDS: dict[str, frozenset[str]] = {
    "hbs": _fold_all(_HBS),
    "mk": _fold_all(_MK),
    "bg": _fold_all(_BG),
    "sq": _fold_all(_SQ),
    "sl": _fold_all(_SL),
    "en": _fold_all(_EN),
}

#: The union, used when the language is unknown (the language-agnostic mode).
ALL_STOP_WORDS: frozenset[str] = frozenset().union(*STOP_WORDS.values())
