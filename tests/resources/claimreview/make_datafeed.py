"""Generate ``datafeed-40.json``: 40 invented Balkan fact-checks in seven languages.

Deterministic (no randomness, no clock): run it again and the output is
byte-identical, which ``test_datafeed_fixture_is_reproducible`` checks.

    .venv/bin/python tests/resources/claimreview/make_datafeed.py

Newsrooms, people and claims are invented; verdict labels follow the scales
the region's fact-checkers use (see ``docs/languages.md``).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the repository root, for ``claims``

from claims.claimreview import (  # noqa: E402
    Appearance,
    ClaimReviewRecord,
    build_claimreview,
    build_datafeed,
)

OUTPUT = HERE / "datafeed-40.json"
FEED_DATE = dt.date(2024, 12, 31)

# language -> newsroom name, newsroom URL, {ratingValue: alternateName} on a 1..5 scale
NEWSROOMS: dict[str, tuple[str, str, dict[int, str]]] = {
    "en": (
        "Balkan Fact Desk",
        "https://balkanfactdesk.example/",
        {1: "False", 2: "Mostly false", 3: "Half true", 4: "Mostly true", 5: "True"},
    ),
    "sr-Cyrl": (
        "Провери",
        "https://proverivac.example/",
        {1: "Неточно", 2: "Углавном неточно", 3: "Полуистина", 4: "Углавном тачно", 5: "Тачно"},
    ),
    "sr-Latn": (
        "Proverivač",
        "https://proverivac.example/lat/",
        {1: "Neistina", 2: "Uglavnom neistina", 3: "Poluistina", 4: "Uglavnom istina", 5: "Istina"},
    ),
    "hr": (
        "Činjenica.hr",
        "https://cinjenica.example/",
        {1: "Ni F od fakta", 2: "Ni pola fakta", 3: "Polufakt", 4: "Tri kvarta fakta", 5: "Fakt"},
    ),
    "bs": (
        "Provjeri.ba",
        "https://provjeri.example/",
        {
            1: "Lažna vijest",
            2: "Većim dijelom neistinito",
            3: "Poluistina",
            4: "Većim dijelom istinito",
            5: "Istinito",
        },
    ),
    "mk": (
        "Вистина МК",
        "https://vistina.example/",
        {
            1: "Невистина",
            2: "Главно невистина",
            3: "Полувистина",
            4: "Главно вистина",
            5: "Вистина",
        },
    ),
    "sq": (
        "Faktet.al",
        "https://faktet.example/",
        {
            1: "E pavërtetë",
            2: "Kryesisht e pavërtetë",
            3: "Gjysmë e vërtetë",
            4: "Kryesisht e vërtetë",
            5: "E vërtetë",
        },
    ),
}

# language -> (claim, claimant, claimant type, rating value)
CLAIMS: dict[str, list[tuple[str, str, str, int]]] = {
    "en": [
        (
            "Serbia will receive 5 billion euros from the EU growth plan this year.",
            "Marko Petrović",
            "Person",
            2,
        ),
        (
            "A lithium mine in the Jadar valley has already poisoned the Drina.",
            "Social media users",
            "Organization",
            1,
        ),
        ("North Macedonia has the lowest VAT rate in the region.", "Goran Trajkovski", "Person", 1),
        ("Croatia joined the Schengen area in January 2023.", "Ivana Kovač", "Person", 5),
        (
            "Average wages in Bosnia and Herzegovina doubled in five years.",
            "Emir Hadžić",
            "Person",
            3,
        ),
        (
            "Albania produces almost all of its electricity from hydropower.",
            "Arben Krasniqi",
            "Person",
            4,
        ),
    ],
    "sr-Cyrl": [
        ("Пензије ће од јануара бити повећане за 30 одсто.", "Ана Јовановић", "Person", 2),
        ("Србија има највећи раст БДП-а у Европи.", "Марко Петровић", "Person", 3),
        (
            "Вакцине против грипа садрже микрочипове.",
            "Корисници друштвених мрежа",
            "Organization",
            1,
        ),
        (
            "Београд је проглашен за најзагађенији град на свету.",
            "Телеграм канал „Истина“",
            "Organization",
            2,
        ),
        (
            "Струја у Србији је најјефтинија у региону.",
            "Министарство енергетике",
            "Organization",
            4,
        ),
        ("Ђоковић је поклонио болници у Нишу 10 милиона евра.", "Вибер група", "Organization", 1),
    ],
    "sr-Latn": [
        (
            "Gorivo će od ponedeljka koštati 250 dinara.",
            "Korisnici društvenih mreža",
            "Organization",
            1,
        ),
        ("Novi Sad ima više studenata nego Beograd.", "Jelena Ilić", "Person", 1),
        ("Minimalna zarada je veća od prosečne penzije.", "Dragan Nikolić", "Person", 5),
        ("Srbija je uvela vize za državljane Kine.", "Portal Informer Plus", "Organization", 1),
        ("Broj zaposlenih u javnom sektoru smanjen je za 20 odsto.", "Marko Petrović", "Person", 2),
        (
            "Kineska kompanija kupila je rudnik u Boru za jedan evro.",
            "TikTok nalog @istina_sad",
            "Organization",
            1,
        ),
    ],
    "hr": [
        ("Cijena kruha u ožujku se udvostručila.", "Ivana Kovač", "Person", 2),
        ("Hrvatska ima najviše sunčanih dana u Europi.", "Turistička zajednica", "Organization", 3),
        ("Vlak od Zagreba do Splita vozi kraće od četiri sata.", "Tomislav Babić", "Person", 1),
        ("Cjepivo protiv gripe trajno mijenja DNK.", "Korisnici Facebooka", "Organization", 1),
        ("Prosječna plaća prešla je 1.300 eura.", "Ministarstvo rada", "Organization", 5),
        (
            "Tisuću liječnika napustilo je Hrvatsku prošle godine.",
            "Sindikat liječnika",
            "Organization",
            4,
        ),
    ],
    "bs": [
        (
            "Video prikazuje poplave u Mostaru od prošle sedmice.",
            "Objave na društvenim mrežama",
            "Organization",
            1,
        ),
        ("Kanton Sarajevo ima najveću prosječnu platu u državi.", "Emir Hadžić", "Person", 5),
        ("Most u Višegradu zatvoren je za saobraćaj do 2026.", "Viber grupe", "Organization", 2),
        (
            "Svaki treći mladi napustio je BiH u posljednjih deset godina.",
            "Amra Begić",
            "Person",
            3,
        ),
        ("Cijena struje od jula raste za 30 posto.", "Portal Vijesti Danas", "Organization", 1),
        ("Zrak u Tuzli je čistiji nego u Zenici.", "Nermin Mehić", "Person", 4),
    ],
    "mk": [
        (
            "Скопје има најзагаден воздух во Европа.",
            "Корисници на социјалните мрежи",
            "Organization",
            3,
        ),
        ("Платите во Македонија се двојно зголемени.", "Горан Трајковски", "Person", 1),
        ("Охридското езеро е најстарото во Европа.", "Туристички водич", "Organization", 5),
        (
            "Владата ќе ги укине сите ѓачки стипендии.",
            "Фејсбук страница „Вистина сега“",
            "Organization",
            1,
        ),
        (
            "Бројот на невработени е најмал во последните 30 години.",
            "Елена Ѓорѓиевска",
            "Person",
            4,
        ),
    ],
    "sq": [
        ("Qeveria ka ndaluar shitjen e bukës pas orës 20:00.", "Arben Krasniqi", "Person", 1),
        ("Tirana ka më shumë banorë se Kosova.", "Blerina Hoxha", "Person", 3),
        (
            "Paga minimale në Shqipëri është 40.000 lekë.",
            "Ministria e Financave",
            "Organization",
            5,
        ),
        (
            "Uji i pijshëm në Durrës është i ndotur me plumb.",
            "Përdorues të rrjeteve sociale",
            "Organization",
            1,
        ),
        (
            "Shkollat do të mbyllen në tetor për shkak të gripit.",
            "Faqja Lajme Shqip",
            "Organization",
            1,
        ),
    ],
}

SOCIAL = [
    "https://www.facebook.com/permalink.php?story_fbid={n}00{n}&id=1000{n}",
    "https://x.com/primer_nalog/status/17{n:02d}0000000000000",
    "https://www.tiktok.com/@vijesti_balkan/video/73{n:02d}000000000000",
    "https://t.me/balkan_vesti/{n}",
]


def build_records() -> list[ClaimReviewRecord]:
    """40 records, languages interleaved so every slice of the feed is mixed."""
    queues = {lang: list(claims) for lang, claims in CLAIMS.items()}
    order: list[tuple[str, tuple[str, str, str, int]]] = []
    while any(queues.values()):
        for lang, queue in queues.items():
            if queue:
                order.append((lang, queue.pop(0)))
    assert len(order) == 40, len(order)

    records = []
    for n, (lang, (claim, claimant, claimant_type, value)) in enumerate(order, 1):
        newsroom, newsroom_url, labels = NEWSROOMS[lang]
        published = dt.date(2024, 1, 3) + dt.timedelta(days=8 * n)
        claimed = published - dt.timedelta(days=1 + n % 5)
        appearances = [
            Appearance(SOCIAL[(n + k) % len(SOCIAL)].format(n=n), claimed if k == 0 else None)
            for k in range(1 + n % 3)
        ]
        records.append(
            ClaimReviewRecord(
                url=f"{newsroom_url}provera/{n:02d}",
                claim_reviewed=claim,
                claimant=claimant,
                claimant_type=claimant_type,
                claim_date=claimed,
                appearances=appearances,
                first_appearance=appearances[0] if n % 4 == 0 else None,
                rating_value=float(value),
                best_rating=5.0,
                worst_rating=1.0,
                alternate_name=labels[value],
                publisher_name=newsroom,
                publisher_url=newsroom_url,
                date_published=published,
                in_language=lang,
            )
        )
    return records


def build_feed() -> dict:
    return build_datafeed(
        [build_claimreview(record) for record in build_records()],
        name="Balkan fact-checks (invented test data)",
        url="https://balkanfactdesk.example/feeds/claimreview.json",
        date_modified=FEED_DATE,
    )


def render() -> str:
    return json.dumps(build_feed(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
