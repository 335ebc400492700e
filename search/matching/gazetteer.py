"""Places of the region, in every script and language the platform reads: the project's data.

Each row is ``(place id, parent id, stems)``.  A stem is a *folded* form
(:func:`search.normalize.fold`: Latin, lower case, no diacritics, so ``Ниша``,
``Niša`` and ``Nisa`` are all ``nisa``); a word names the place when it is a stem plus
one of :data:`search.matching.entities.SUFFIXES` (the case and adjective endings of
hbs, mk, sq and en: ``Sarajevo``, ``Sarajevu``, ``Sarajevski``, ``Сараево``,
``Sarajevës``).  Stems with a space match consecutive words (``crne gor`` + ``e``).
Stems of five letters or fewer only match a capitalised word (``Nišu`` the city, not
``nisu`` "they are not"), unless the whole text is lower case (the town of Bar is left
out: a capitalised "Bara" starts too many sentences); a stem written with a
leading ``^`` only matches a word in capitals (``BE``, ``WHO``, ``EU``).

Organisations that hoaxes name as the actor (the EU, NATO, the WHO) are rows too, with no
parent: "at the EU's request" and "at Bulgaria's request" are another hoax.

``parent`` is the country a city lies in, so "Zagreb" and "Croatia" agree.  Country ids
are ISO 3166 alpha-2 (``XK`` for Kosovo); city ids are their folded Latin names.
"""

from __future__ import annotations

# fmt: off
PLACES: list[tuple[str, str | None, tuple[str, ...]]] = [
    # --- countries and entities
    ("AL", None, ("albani", "shqiper", "shqipri", "arbani")),
    ("MK", None, ("makedon", "maqedon", "macedon", "severna makedon", "sjeverna makedon")),
    ("BA", None, ("bosn", "bih", "hercegovin", "herzegovin", "bosnjak")),
    ("BA-FED", "BA", ("federacij", "federaci", "fbih")),
    ("RS", None, ("srbij", "serbi", "srpsk", "srbi", "serbian")),
    ("HR", None, ("hrvatsk", "hrvat", "croati", "kroaci", "hrvatskoj")),
    ("ME", None, ("crna gor", "crne gor", "crnoj gor", "crnu gor", "crnogorsk", "montenegr",
                  "mal te zi", "mali i zi", "malit te zi", "malin e zi", "malit e zi")),
    ("XK", None, ("kosov", "kosove")),
    ("BG", None, ("bugarsk", "bugarij", "bulgari", "bullgari", "bugari")),
    ("GR", None, ("grck", "greec", "greek", "greqi", "grcij", "grcija")),
    ("SI", None, ("slovenij", "sloveni", "slovensk")),
    # --- Serbia
    ("beograd", "RS", ("beograd", "belgrad", "beogradsk")),
    ("novi sad", "RS", ("novi sad", "novog sad", "novom sad", "novosad")),
    ("nis", "RS", ("nis", "nisk", "nish")),
    ("kragujevac", "RS", ("kragujevac", "kragujevc", "kragujevack")),
    ("uzice", "RS", ("uzic", "uzick")),
    ("subotica", "RS", ("subotic", "subotick")),
    ("kraljevo", "RS", ("kraljev",)),
    ("zajecar", "RS", ("zajecar",)),
    ("vracar", "RS", ("vracar",)),
    ("vojvodina", "RS", ("vojvodin",)),
    # --- Croatia
    ("zagreb", "HR", ("zagreb",)),
    ("split", "HR", ("split",)),
    ("rijeka", "HR", ("rijek", "rijec")),
    ("osijek", "HR", ("osijek", "osjeck")),
    ("petrinja", "HR", ("petrinj",)),
    ("plitvice", "HR", ("plitvic", "plitvick")),
    # --- Bosnia and Herzegovina
    ("sarajevo", "BA", ("sarajev", "saraev", "sarajevsk")),
    ("tuzla", "BA", ("tuzl", "tuzlansk")),
    ("mostar", "BA", ("mostar",)),
    ("banja luka", "BA", ("banja luk", "banjaluk", "banjaluck", "banja luck")),
    ("bihac", "BA", ("bihac", "bihack")),
    ("stolac", "BA", ("stolac", "stoc")),
    ("jahorina", "BA", ("jahorin",)),
    # --- Montenegro
    ("podgorica", "ME", ("podgoric", "podgorick")),
    ("niksic", "ME", ("niksic", "niksick")),
    ("tivat", "ME", ("tivat", "tivatsk")),
    ("jaz", "ME", ("jaz",)),
    ("budva", "ME", ("budv", "budvansk")),
    ("kotor", "ME", ("kotor",)),
    ("ulcinj", "ME", ("ulcinj", "ulqin")),
    ("skadar lake", "ME", ("skadarsk",)),
    # --- North Macedonia
    ("skopje", "MK", ("skopj", "skopsk", "shkup")),
    ("bitola", "MK", ("bitol",)),
    ("ohrid", "MK", ("ohrid", "oher")),
    ("tetovo", "MK", ("tetov",)),
    ("kumanovo", "MK", ("kumanov",)),
    ("prilep", "MK", ("prilep",)),
    ("strumica", "MK", ("strumic",)),
    # --- Albania
    ("tirana", "AL", ("tiran",)),
    ("durres", "AL", ("durres", "durs", "drac")),
    ("elbasan", "AL", ("elbasan",)),
    ("korce", "AL", ("korc",)),
    ("shkoder", "AL", ("shkoder", "shkodr", "skoder", "skadr")),
    ("vlore", "AL", ("vlor", "valon")),
    # --- Kosovo
    ("pristina", "XK", ("prishtin", "pristin")),
    ("prizren", "XK", ("prizren",)),
    # --- organisations
    ("EU", None, ("^eu", "^be", "evropsk unij", "europsk unij", "european union",
                  "bashkimi evropian", "bashkimi europian", "brisel", "bruksel", "brussel")),
    ("NATO", None, ("^nato", "nato")),
    ("WHO", None, ("^who", "^szo", "^oshb", "^obsh", "svetska zdravstvena",
                   "svjetska zdravstvena", "world health", "organizata boterore")),
    ("UN", None, ("^un", "^oun", "^oon", "ujedinjen nacij", "united nation", "kombet e bashkuara")),
]  # fmt: skip
# fmt: on

#: Months (1-12) by folded stem, in hbs (both month-name traditions), mk, sq and en.
#: Month names are lower case in the region's languages, so no capital is required,
#: except for the English ``May`` (written ``^may``: capitals only, like the places).
MONTHS: list[tuple[int, tuple[str, ...]]] = [
    (1, ("januar", "sijecanj", "sijecnj", "janar", "january", "jenar")),
    (2, ("februar", "veljac", "fevruar", "shkurt", "february")),
    (3, ("mart", "ozujak", "ozujk", "mars", "march")),
    (4, ("april", "travanj", "travnj", "prill")),
    (5, ("maj", "svibanj", "svibnj", "^may")),
    (6, ("jun", "juni", "lipanj", "lipnj", "qershor", "june")),
    (7, ("jul", "juli", "srpanj", "srpnj", "korrik", "july")),
    (8, ("avgust", "august", "kolovoz", "gusht")),
    (9, ("septemb", "septembr", "septembar", "septemvri", "rujan", "rujn", "shtator", "september")),
    (10, ("oktob", "oktobr", "oktobar", "oktomvri", "listopad", "tetor", "october")),
    (11, ("novemb", "novembr", "novembar", "noemvri", "studen", "nentor", "november")),
    (12, ("decemb", "decembr", "decembar", "dekemvri", "prosin", "prosinac", "prosinc", "dhjetor",
          "december")),
]  # fmt: skip
