"""What the benchmarks share: paths, Django set-up, the data loaders and the test corpus.

Every benchmark (``bench/*.py``) imports this module; no benchmark imports another, so each
one can change without breaking the rest.  A benchmark puts the repository (not ``bench/``,
whose ``search.py`` and ``ingest.py`` would shadow the apps) on ``sys.path`` first::

    REPO = Path(__file__).resolve().parent.parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "bench"]
    sys.path.insert(0, str(REPO))
    from bench import common

The data are the public datasets under ``--shared`` (default: ``../shared`` beside the
repository), read in place and never copied into it:

* ``data/balkan-claim-matching-dev/dev_set.json``: 15 fact-checks, 55 posts (45 repeat a
  fact-check: paraphrase, other script, other language, sibling variety; 10 negatives)
  and 16 reader queries (:func:`load_dev_set`).
* ``data/clef2020-checkthat-task2-claim-retrieval``: 10,389 verified claims and the
  200 test tweets with their relevance judgements (:func:`clef_claims`, :func:`clef_test`).
* ``data/tatoeba-laser-balkan``: LASER's Tatoeba bitext, one sentence a line
  (:func:`tatoeba_lines`).

The matching corpus (:func:`dev_corpus`) hides the dev fact-checks among the demo
newsroom's claims, templated Balkan look-alikes (:func:`generate`) and a seeded CLEF sample;
it is deterministic for a seed, so calibration and the match benchmark see the same index.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import random
import re
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Default ``--shared``: the shared folder beside the repository (the Makefile passes it).
SHARED = REPO.parent / "shared"
DEV_PATH = "data/balkan-claim-matching-dev/dev_set.json"
CLEF_DIR = "data/clef2020-checkthat-task2-claim-retrieval"
TATOEBA_DIR = "data/tatoeba-laser-balkan"
#: Where the benchmarks keep their embedding cache (re-runs embed only what changed).
EMBEDDING_CACHE = REPO / "var" / "embeddings" / "cache.sqlite3"


# =========================================================================== Django


def django_setup(**overrides) -> None:
    """Minimal settings for the search backends, the embedder and the matcher (no app
    registry: the retrieval benchmarks need neither the database nor the other apps).

    Every ``FACTCHECK_*`` setting takes the project's own value
    (``factcheck/settings/base.py``, so the environment applies as it does in the
    platform), then the embedded backend under ``var/``, then ``overrides``, e.g.
    ``FACTCHECK_SENTENCIZER="spacy"``."""
    from django.conf import settings

    if settings.configured:
        return
    from factcheck.settings import base

    platform = {name: getattr(base, name) for name in dir(base) if name.startswith("FACTCHECK_")}
    platform.update(FACTCHECK_VAR_DIR=REPO / "var", FACTCHECK_SEARCH_BACKEND="embedded")
    platform.pop("FACTCHECK_SEARCH_PARAMS", None)
    settings.configure(**{**platform, **overrides})


def django_setup_project(
    settings_module: str = "factcheck.settings.test",
    *,
    database_url: str | None = None,
    force: bool = False,
) -> None:
    """The whole project (apps, models, database) for benchmarks that need it.

    ``settings_module`` is used unless ``DJANGO_SETTINGS_MODULE`` is already set
    (``force=True`` overrides it); ``database_url`` replaces ``DATABASE_URL``.
    """
    if force:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def ensure_postgres_database(url: str, *, reset: bool = False) -> None:
    """Create the PostgreSQL database named by ``url`` if it is missing (``reset``: drop
    it first). The benchmarks that need the whole project on PostgreSQL
    (``claim_queue.py``, ``load.py``) each keep their own database, reused between runs.
    Only local servers: the name is quoted, and connecting goes to the same server's
    ``postgres`` database."""
    from urllib.parse import urlparse

    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name:
        raise ValueError(f"{url}: no database name")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", flush=True)


def django_setup_postgres(
    settings_module: str, *, database_url: str, reset: bool = False, migrate: bool = True
) -> None:
    """:func:`ensure_postgres_database`, then :func:`django_setup_project` on it (forcing
    ``settings_module``), then ``migrate``: the start of every PostgreSQL benchmark."""
    import time

    ensure_postgres_database(database_url, reset=reset)
    django_setup_project(settings_module, database_url=database_url, force=True)
    if migrate:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        print(f"migrated ({time.perf_counter() - started:.0f} s)", flush=True)


# =========================================================================== loaders


def load_dev_set(shared: Path) -> dict:
    """The Balkan claim-matching dev set: ``fact_checks``, ``posts``, ``search_queries``."""
    return json.loads((Path(shared) / DEV_PATH).read_text(encoding="utf-8"))


def _tsv_rows(zf: zipfile.ZipFile, name: str) -> list[list[str]]:
    raw = zf.read(name).decode("utf-8")
    return list(csv.reader(io.StringIO(raw), delimiter="\t", quoting=csv.QUOTE_NONE))


def clef_claims(shared: Path) -> list[list[str]]:
    """CLEF 2020 task 2 verified claims as TSV rows ``[id, claim, title, ...]``."""
    with zipfile.ZipFile(Path(shared) / CLEF_DIR / "v3.zip") as zf:
        rows = _tsv_rows(zf, "v3.0/verified_claims.docs.tsv")[1:]
    return [r for r in rows if len(r) >= 2]


def clef_claim_texts(shared: Path) -> list[str]:
    """The verified claims' texts, stripped, empty ones left out (the distractor pool)."""
    return [r[1].strip() for r in clef_claims(shared) if r[1].strip()]


def clef_test(shared: Path) -> tuple[list[list[str]], dict[str, set[str]]]:
    """The test tweets as rows ``[id, text, ...]`` and their judgements: tweet id -> the
    ids of the verified claims it repeats."""
    with zipfile.ZipFile(Path(shared) / CLEF_DIR / "test-input.zip") as zf:
        tweets = [r for r in _tsv_rows(zf, "tweets.queries.tsv")[1:] if len(r) >= 2]
        qrels: dict[str, set[str]] = {}
        for line in zf.read("tweet-vclaim-pairs.qrels").decode().split("\n"):
            parts = line.split()
            if len(parts) == 4:
                qrels.setdefault(parts[0], set()).add(parts[2])
    return tweets, qrels


_TWEET_FOOTER = re.compile(r"\s+—\s+[^—]*\(@\w+\)[^—]*$")


def strip_tweet_footer(text: str) -> str:
    """Drop the embed footer the test tweets end with: ``— Name (@handle) Month d, yyyy``."""
    return _TWEET_FOOTER.sub("", text)


def tatoeba_lines(shared: Path, lang: str, side: str, limit: int | None = None) -> list[str]:
    """Tatoeba ``lang``-English bitext, one side: ``side`` is ``lang`` or ``"eng"``."""
    path = Path(shared) / TATOEBA_DIR / f"tatoeba.{lang}-eng.{side}"
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[:limit] if limit else lines


# =========================================================================== distractors
# (written for bench/calibrate.py; bench/match.py indexes the same corpus)
# Each template is a hoax shape regional fact-checkers debunk again and again.  Several
# share the shape of a dev-set claim with other slot values ("Split uvodi naplatu ulaska
# u centar" next to the dev set's Zagreb claim): a real archive is full of such near
# neighbours and the decision has to survive them.  Slot combinations that would restate
# a dev claim are excluded (EXCLUDE).  Deterministic for a given seed.
# fmt: off
HBS_TEMPLATES: list[tuple[str, dict[str, list[str]]]] = [
    ("{city} uvodi naplatu ulaska automobilom u centar grada od {n} eura dnevno",
     {"city": ["Beograd", "Split", "Novi Sad", "Sarajevo", "Rijeka", "Podgorica", "Banja Luka", "Osijek", "Niš", "Tuzla"],
      "n": ["5", "10", "15", "30", "50"]}),
    ("Snimak prikazuje {animal} kako šeta centrom {city}",
     {"animal": ["vuka", "medveda", "lisicu", "divlju svinju", "jelena", "risa", "šakala"],
      "city": ["Beograda", "Kragujevca", "Užica", "Sarajeva", "Mostara", "Zagreba", "Nikšića", "Niša"]}),
    ("{food} na prazan stomak {effect}",
     {"food": ["Limun", "Beli luk", "Kafa", "Med sa cimetom", "Jabukovo sirće", "Kurkuma", "Đumbir", "Jedenje banana"],
      "effect": ["leči rak", "izaziva srčani udar", "uništava jetru", "čisti krvne sudove", "štiti od korone", "izaziva moždani udar", "leči dijabetes"]}),
    ("Preminuo je {person}, potvrdila porodica",
     {"person": ["Novak Đoković", "Luka Modrić", "Zdravko Čolić", "Halid Bešlić", "Dino Merlin", "Emir Kusturica", "Toma Zdravković", "Željko Joksimović", "Dragan Stojković", "Goran Bregović"]}),
    ("{airport} se zatvara za putničke letove {when}",
     {"airport": ["Aerodrom Nikola Tesla", "Aerodrom Tuzla", "Aerodrom Mostar", "Aerodrom Podgorica", "Zračna luka Split", "Aerodrom Niš", "Aerodrom Banja Luka", "Sarajevski aerodrom"],
      "when": ["od ponedeljka", "do proleća", "na šest meseci", "zbog štrajka", "do kraja godine", "zauvek"]}),
    ("{product} sadrži {substance}",
     {"product": ["Coca-Cola", "Pepsi", "Nutella", "Plazma keks", "Smoki", "Cedevita", "Vegeta", "Red Bull"],
      "substance": ["svinjsku mast", "alkohol", "mikroplastiku", "ostatke insekata", "zabranjene boje", "kancerogeni aspartam", "tragove droge"]}),
    ("Uvozni {medicine} zaražen je opasnim virusom {virus}",
     {"medicine": ["paracetamol", "ibuprofen", "aspirin", "brufen", "kafetin", "andol"],
      "virus": ["mačupo", "ebola", "marburg", "nipah", "zika", "lasa"]}),
    ("{country} će promeniti {symbol} po zahtevu {org}",
     {"country": ["Srbija", "Hrvatska", "Crna Gora", "Bosna i Hercegovina", "Kosovo"],
      "symbol": ["zastavu", "himnu", "grb", "ime države", "valutu"],
      "org": ["EU", "NATO-a", "Vašingtona", "Brisela", "Ujedinjenih nacija"]}),
    ("Svi {group} moraće da {duty} od septembra",
     {"group": ["učenici u Srbiji", "studenti u Hrvatskoj", "zaposleni u javnom sektoru", "vozači u Crnoj Gori", "penzioneri u Republici Srpskoj", "učenici u Federaciji"],
      "duty": ["nose uniforme", "plaćaju novu taksu", "prođu lekarski pregled", "se vakcinišu", "nose identifikacione čipove", "polažu test iz istorije"]}),
    ("Vlada {gov} prodala je {asset} {buyer} na {years} godina",
     {"gov": ["Srbije", "Hrvatske", "Crne Gore", "Republike Srpske", "Federacije BiH"],
      "asset": ["plažu Jaz", "Adu Ciganliju", "Aerodrom Tivat", "Plitvička jezera", "luku Bar", "Jahorinu", "Skadarsko jezero"],
      "buyer": ["kineskoj firmi", "arapskom investitoru", "ruskom oligarhu", "turskoj kompaniji", "stranom investitoru"],
      "years": ["30", "49", "99"]}),
    ("{org} je proglasila novu globalnu pandemiju {disease}",
     {"org": ["SZO", "Svetska zdravstvena organizacija", "Evropska komisija"],
      "disease": ["ptičjeg gripa", "majmunskih boginja", "svinjskog gripa", "kolere", "tuberkuloze", "nove korone"]}),
    ("Internet će biti isključen {where} {when}",
     {"where": ["u celoj Srbiji", "u Hrvatskoj", "u Bosni i Hercegovini", "u Crnoj Gori", "na Kosovu"],
      "when": ["za vreme izbora", "tokom protesta", "na tri dana", "za vikend", "do daljnjeg"]}),
    ("Studenti će od {when} plaćati {how} školarine",
     {"when": ["sledeće godine", "oktobra", "nove akademske godine", "proleća"],
      "how": ["duplo veće", "triput veće", "dvostruke", "nove", "50 odsto veće"]}),
    ("Zemljotres u {place} izazvan je {cause}",
     {"place": ["Petrinji", "Kraljevu", "Stocu", "Banjaluci", "Skoplju", "Draču", "Zagrebu"],
      "cause": ["HAARP-om", "vojnim eksplozijama", "rudarenjem litijuma", "nuklearnim testovima", "bušenjem za naftu"]}),
    ("Od {month} zabranjeno je {act} u {city}",
     {"month": ["1. aprila", "maja", "1. juna", "jeseni", "Nove godine"],
      "act": ["sušenje veša na terasama", "roštiljanje na terasama", "pušenje na balkonima", "držanje pasa u stanovima", "parkiranje na trotoarima", "puštanje muzike posle 22h"],
      "city": ["Beogradu", "Novom Sadu", "Zagrebu", "Sarajevu", "Podgorici", "Nišu", "Splitu"]}),
    ("{who} će u {month} dobiti jednokratnu isplatu od {n} eura",
     {"who": ["Penzioneri", "Umirovljenici", "Nezaposleni", "Studenti", "Mladi do 30 godina", "Roditelji"],
      "month": ["novembru", "decembru", "januaru", "prosincu", "studenom", "siječnju"],
      "n": ["100", "200", "500", "1000", "2000"]}),
    ("{tech} izaziva {illness}",
     {"tech": ["5G mreža", "Wi-Fi ruter", "Mobilni telefon pored kreveta", "Mikrotalasna pećnica", "Pametno brojilo struje"],
      "illness": ["rak mozga", "neplodnost", "koronu", "glavobolje kod dece", "autizam", "nesanicu"]}),
    ("Vakcina protiv {disease} sadrži {thing}",
     {"disease": ["korone", "gripa", "morbila", "HPV-a", "tetanusa"],
      "thing": ["čip za praćenje", "grafen", "tkivo fetusa", "živu", "sredstvo za sterilizaciju"]}),
    ("{inst} od {month} uvodi porez na {obj}",
     {"inst": ["Vlada Srbije", "Vlada Hrvatske", "Vlada Crne Gore", "Vijeće ministara BiH", "Grad Beograd"],
      "month": ["januara", "marta", "jula", "sledeće godine"],
      "obj": ["kućne ljubimce", "kiše", "sunčane panele", "drugi automobil", "bašte", "kiseonik", "bunare"]}),
    ("Migranti u {city} dobijaju {benefit}",
     {"city": ["Beogradu", "Bihaću", "Subotici", "Zagrebu", "Sarajevu"],
      "benefit": ["1000 eura mesečno", "besplatne stanove", "državljanstvo bez uslova", "besplatne automobile", "veće plate od penzionera"]}),
]

MK_TEMPLATES: list[tuple[str, dict[str, list[str]]]] = [
    ("{country} ќе го смени {symbol} по барање на {org}",
     {"country": ["Северна Македонија", "Србија", "Албанија", "Бугарија", "Косово"],
      "symbol": ["знамето", "химната", "грбот", "уставот", "името"],
      "org": ["ЕУ", "НАТО", "Бугарија", "Грција", "Брисел"]}),
    ("Интернетот ќе биде исклучен {where} {when}",
     {"where": ["во Скопје", "низ цела држава", "во Битола", "во Тетово", "во Охрид"],
      "when": ["за време на изборите", "за време на протестите", "за викенд", "три дена", "до понатамошно известување"]}),
    ("{food} на празен стомак {effect}",
     {"food": ["Лимонот", "Лукот", "Кафето", "Медот", "Ѓумбирот"],
      "effect": ["лекува рак", "предизвикува срцев удар", "ја чисти крвта", "штити од корона", "ја уништува јетрата"]}),
    ("Владата ќе им исплати {n} евра на {who}",
     {"n": ["100", "300", "500", "1000"],
      "who": ["пензионерите", "студентите", "невработените", "младите", "семејствата со деца"]}),
    ("Видео покажува {animal} во центарот на {city}",
     {"animal": ["мечка", "волк", "дива свиња", "срна", "лисица"],
      "city": ["Скопје", "Битола", "Струмица", "Куманово", "Охрид", "Прилеп"]}),
    ("Вакцината против {disease} содржи {thing}",
     {"disease": ["корона", "грип", "сипаници", "ХПВ"],
      "thing": ["чип за следење", "графен", "жива", "средство за стерилизација"]}),
    ("Почина {person}, потврди семејството",
     {"person": ["Тоше Проески", "Каролина Гочева", "Влатко Стефановски", "Горан Пандев", "Есма Реџепова"]}),
    ("{inst} воведува данок на {obj} од {month}",
     {"inst": ["Владата", "Општина Центар", "Град Скопје", "Собранието"],
      "obj": ["домашни миленици", "втор автомобил", "соларни панели", "бунари", "дворови"],
      "month": ["јануари", "март", "јули", "следната година"]}),
    ("Увезениот {medicine} е заразен со вирусот {virus}",
     {"medicine": ["ибупрофен", "аспирин", "парацетамол", "антибиотик"],
      "virus": ["ебола", "марбург", "зика", "нипах", "мачупо"]}),
    ("5G мрежата предизвикува {illness}",
     {"illness": ["рак", "неплодност", "корона", "главоболки кај децата", "несоница"]}),
]

SQ_TEMPLATES: list[tuple[str, dict[str, list[str]]]] = [
    ("Studentët në {country} do të paguajnë {how} nga {when}",
     {"country": ["Kosovë", "Maqedoni", "Shqipëri", "Mal të Zi"],
      "how": ["tarifa të dyfishta", "tarifa të trefishta", "taksë të re", "tarifa të dyfishta"],
      "when": ["viti i ri akademik", "tetori", "pranvera", "shtatori"]}),
    ("Tërmeti në {place} u shkaktua nga {cause}",
     {"place": ["Durrës", "Tiranë", "Elbasan", "Korçë", "Shkodër", "Vlorë"],
      "cause": ["HAARP", "shpërthime nëntokësore të ushtrisë", "nxjerrja e naftës", "testet bërthamore", "minierat e kromit"]}),
    ("{food} esëll {effect}",
     {"food": ["Limoni", "Hudhra", "Kafeja", "Mjalti", "Xhenxhefili", "Ngrënia e bananeve"],
      "effect": ["shëron kancerin", "shkakton infarkt", "pastron gjakun", "mbron nga koronavirusi", "dëmton mëlçinë"]}),
    ("Qeveria do t'u japë {n} euro {who}",
     {"n": ["100", "200", "500", "1000"],
      "who": ["pensionistëve", "studentëve", "të papunëve", "të rinjve", "familjeve me fëmijë"]}),
    ("Vaksina kundër {disease} përmban {thing}",
     {"disease": ["koronavirusit", "gripit", "fruthit", "HPV"],
      "thing": ["çip gjurmimi", "grafen", "merkur", "substancë sterilizuese"]}),
    ("Video tregon një {animal} në qendër të {city}",
     {"animal": ["ari", "ujk", "derr të egër", "dre", "dhelpër"],
      "city": ["Tiranës", "Prishtinës", "Shkodrës", "Korçës", "Prizrenit"]}),
    ("Vdiq {person}, konfirmoi familja",
     {"person": ["Rita Ora", "Dua Lipa", "Ismail Kadare", "Granit Xhaka", "Era Istrefi"]}),
    ("Interneti do të ndërpritet {where} {when}",
     {"where": ["në të gjithë Shqipërinë", "në Kosovë", "në Tiranë", "në Prishtinë"],
      "when": ["gjatë zgjedhjeve", "gjatë protestave", "për tri ditë", "në fundjavë"]}),
    ("{inst} vendos taksë për {obj} nga {month}",
     {"inst": ["Qeveria", "Bashkia e Tiranës", "Kuvendi", "Komuna e Prishtinës"],
      "obj": ["kafshët shtëpiake", "makinën e dytë", "panelet diellore", "puset", "oborret"],
      "month": ["janari", "marsi", "korriku", "viti i ardhshëm"]}),
    ("Rrjeti 5G shkakton {illness}",
     {"illness": ["kancer", "sterilitet", "koronavirus", "dhimbje koke te fëmijët", "pagjumësi"]}),
]
# fmt: on

#: Slot values that together would restate a dev-set claim; never generated.
EXCLUDE: list[set[str]] = [
    {"Zagreb", "20"},
    {"medveda", "Niša"},
    {"Jedenje banana", "izaziva srčani udar"},
    {"Sarajevski aerodrom", "do kraja godine"},
    {"Coca-Cola", "alkohol"},
    {"paracetamol", "mačupo"},
    {"plažu Jaz", "Crne Gore"},
    {"ptičjeg gripa"},
    {"u celoj Srbiji", "za vreme izbora"},
    {"sušenje veša na terasama", "Beogradu"},
    {"Umirovljenici", "prosincu", "1000"},
    {"Penzioneri", "decembru", "1000"},
    {"učenici u Federaciji", "nose uniforme"},
    {"duplo veće"},
    {"Северна Македонија", "знамето"},
    {"низ цела држава", "за време на изборите"},
    {"парацетамол", "мачупо"},
    {"Shqipëri", "tarifa të dyfishta"},
    {"shpërthime nëntokësore të ushtrisë"},
    {"Ngrënia e bananeve", "shkakton infarkt"},
    {"мечка"},  # "Video of a bear" + city would be close to DV14 in mk posts
    {"ari"},
]

_SR_LAT_TO_CYR = [
    ("dž", "џ"), ("lj", "љ"), ("nj", "њ"), ("Dž", "Џ"), ("Lj", "Љ"), ("Nj", "Њ"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("đ", "ђ"), ("e", "е"),
    ("ž", "ж"), ("z", "з"), ("i", "и"), ("j", "ј"), ("k", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("ć", "ћ"),
    ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "ц"), ("č", "ч"), ("š", "ш"),
    ("A", "А"), ("B", "Б"), ("V", "В"), ("G", "Г"), ("D", "Д"), ("Đ", "Ђ"), ("E", "Е"),
    ("Ž", "Ж"), ("Z", "З"), ("I", "И"), ("J", "Ј"), ("K", "К"), ("L", "Л"), ("M", "М"),
    ("N", "Н"), ("O", "О"), ("P", "П"), ("R", "Р"), ("S", "С"), ("T", "Т"), ("Ć", "Ћ"),
    ("U", "У"), ("F", "Ф"), ("H", "Х"), ("C", "Ц"), ("Č", "Ч"), ("Š", "Ш"),
]  # fmt: skip


def to_serbian_cyrillic(text: str) -> str:
    """Latin -> Cyrillic for the generated text only (its vocabulary has no ``nadživeti``
    style digraph traps; never use this for matching).  Latin acronyms stay Latin."""
    words = []
    for word in text.split(" "):
        if any(ch.isdigit() for ch in word) or word.isupper() or "-" in word:
            words.append(word)
            continue
        for lat, cyr in _SR_LAT_TO_CYR:
            word = word.replace(lat, cyr)
        words.append(word)
    return " ".join(words)


#: Templates with the shape of a dev-set claim ("<city> introduces a charge to drive into
#: the centre").  A real archive has a few such near neighbours per claim, not dozens:
#: the default run keeps SIBLINGS_PER_TEMPLATE of each; ``--stress`` keeps STRESS_PER_TEMPLATE.
SIBLING_SHAPES = {
    "{city} uvodi naplatu ulaska automobilom u centar grada od {n} eura dnevno",
    "Snimak prikazuje {animal} kako šeta centrom {city}",
    "{food} na prazan stomak {effect}",
    "{airport} se zatvara za putničke letove {when}",
    "{product} sadrži {substance}",
    "Uvozni {medicine} zaražen je opasnim virusom {virus}",
    "{country} će promeniti {symbol} po zahtevu {org}",
    "Svi {group} moraće da {duty} od septembra",
    "Vlada {gov} prodala je {asset} {buyer} na {years} godina",
    "{org} je proglasila novu globalnu pandemiju {disease}",
    "Internet će biti isključen {where} {when}",
    "Studenti će od {when} plaćati {how} školarine",
    "Zemljotres u {place} izazvan je {cause}",
    "Od {month} zabranjeno je {act} u {city}",
    "{who} će u {month} dobiti jednokratnu isplatu od {n} eura",
    "{country} ќе го смени {symbol} по барање на {org}",
    "Интернетот ќе биде исклучен {where} {when}",
    "Увезениот {medicine} е заразен со вирусот {virus}",
    "Studentët në {country} do të paguajnë {how} nga {when}",
    "Tërmeti në {place} u shkaktua nga {cause}",
    "{food} esëll {effect}",
}
SIBLINGS_PER_TEMPLATE = 4
OTHERS_PER_TEMPLATE = 60
STRESS_PER_TEMPLATE = 22


def _expand(
    templates: list[tuple[str, dict[str, list[str]]]], rng: random.Random, stress: bool
) -> list[str]:
    out: list[str] = []
    for template, slots in templates:
        names = list(slots)
        combos = [
            dict(zip(names, values, strict=True)) for values in itertools.product(*slots.values())
        ]
        combos = [c for c in combos if not any(ex <= set(c.values()) for ex in EXCLUDE)]
        rng.shuffle(combos)
        if stress:
            keep = STRESS_PER_TEMPLATE
        else:
            keep = SIBLINGS_PER_TEMPLATE if template in SIBLING_SHAPES else OTHERS_PER_TEMPLATE
        out.extend(template.format(**c) for c in combos[:keep])
    return out


def generate(seed: int = 13, stress: bool = False) -> list[dict[str, str]]:
    """Templated Balkan distractor claims as ``{"id", "language", "claim"}``, deterministic.

    Default: a few near neighbours per dev claim plus many other hoax shapes (~530).
    ``stress=True``: 22 of every shape (~760), i.e. each dev claim drowned in look-alikes
    that differ only in a name or a number.
    """
    rng = random.Random(seed)
    hbs = _expand(HBS_TEMPLATES, rng, stress)
    rng.shuffle(hbs)
    items: list[dict[str, str]] = []
    for i, claim in enumerate(hbs):
        if i % 4 == 0:  # a quarter in Serbian Cyrillic, as Serbian outlets publish both
            items.append({"language": "sr-Cyrl", "claim": to_serbian_cyrillic(claim)})
        else:
            items.append({"language": "hbs-Latn", "claim": claim})
    items += [{"language": "mk", "claim": c} for c in _expand(MK_TEMPLATES, rng, stress)]
    items += [{"language": "sq", "claim": c} for c in _expand(SQ_TEMPLATES, rng, stress)]
    seen: set[str] = set()
    unique = []
    for item in items:
        if item["claim"] not in seen:
            seen.add(item["claim"])
            unique.append({"id": f"TD{len(unique) + 1:04d}", **item})
    return unique


# =========================================================================== matching corpus

#: Locale codes of the generated / dev claims -> SearchDocument languages.
DOC_LANGUAGE = {"sr-Cyrl": "sr", "sr-Latn": "sr-latn", "hbs-Latn": "hr"}


def demo_claims() -> list[dict[str, str]]:
    """The demo newsroom's fact-check claims (``fixtures/demo/newsroom.json``)."""
    data = json.loads((REPO / "fixtures/demo/newsroom.json").read_text(encoding="utf-8"))
    return [
        {"id": f"DEMO{i + 1:03d}", "language": fc.get("locale", ""), "claim": fc["claim_reviewed"]}
        for i, fc in enumerate(data.get("factchecks", []))
        if fc.get("claim_reviewed")
    ]


def dev_corpus(shared: Path, seed: int = 13, clef_distractors: int = 1500, stress: bool = False):
    """(dev set, corpus items ``{"id","language","claim"}``): the 15 dev fact-checks first,
    then the demo newsroom, the templated Balkan claims and the CLEF sample (the same
    seeded draws as the vector-only calibration).  ``stress=True`` generates 22
    look-alikes of every template shape instead (:func:`generate`)."""
    dev = load_dev_set(shared)
    rng = random.Random(seed)
    clef = clef_claim_texts(shared)
    clef_sample = rng.sample(clef, min(clef_distractors, len(clef)))
    items = [
        {"id": f["id"], "language": f["language"], "claim": f["claim"]} for f in dev["fact_checks"]
    ]
    items += demo_claims()
    items += generate(seed, stress=stress)
    items += [
        {"id": f"CLEF{i + 1:04d}", "language": "en", "claim": c} for i, c in enumerate(clef_sample)
    ]
    return dev, items


def build_index(items: list[dict[str, str]], root: Path, embedder, cache):
    """An embedded backend under ``root`` holding ``items`` with cached passage vectors."""
    from search.backends import load_backend
    from search.types import SearchDocument

    vectors = cache.embed(embedder, [it["claim"] for it in items], "passage")
    docs = [
        SearchDocument(
            id=it["id"],
            claim_reviewed=it["claim"],
            language=DOC_LANGUAGE.get(it["language"], it["language"]).lower(),
            url=f"https://factcheck.example/{it['id'].lower()}/",
            vector=[float(x) for x in vec],
        )
        for it, vec in zip(items, vectors, strict=True)
    ]
    backend = load_backend("embedded", {"PATH": str(root)})
    backend.rebuild(docs)
    return backend


def match_posts(posts, backend, embedder, method: str, limit: int = 10, **options):
    """Run ``search.matching.match_text`` for every post: list of result lists.
    ``options`` go to ``match_text`` (``entities=False``, ``groups=False``...)."""
    from search.matching import MatchDecision, match_text

    decision = MatchDecision.load(embedder.model_id)
    return [
        match_text(
            p["text"],
            limit=limit,
            method=method,
            backend=backend,
            embedder=embedder,
            decision=decision,
            **options,
        )
        for p in posts
    ]
