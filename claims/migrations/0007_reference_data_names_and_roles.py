"""Country names in every site language; who may change reference data and site settings.

Only Editors may add, change or delete rating scales and ratings: any such permission a
Fact-checkers group holds is taken away. Editors also manage countries and the newsroom
settings; fact-checkers may view them.
"""

from django.db import migrations

COUNTRY_NAMES = {
    "RS": {"en": "Serbia", "sr": "Србија", "sr-latn": "Srbija", "hr": "Srbija", "bs": "Srbija",
           "cnr": "Srbija", "mk": "Србија", "sq": "Serbia"},
    "BA": {"en": "Bosnia and Herzegovina", "sr": "Босна и Херцеговина",
           "sr-latn": "Bosna i Hercegovina", "hr": "Bosna i Hercegovina",
           "bs": "Bosna i Hercegovina", "cnr": "Bosna i Hercegovina",
           "mk": "Босна и Херцеговина", "sq": "Bosnja dhe Hercegovina"},
    "ME": {"en": "Montenegro", "sr": "Црна Гора", "sr-latn": "Crna Gora", "hr": "Crna Gora",
           "bs": "Crna Gora", "cnr": "Crna Gora", "mk": "Црна Гора", "sq": "Mali i Zi"},
    "MK": {"en": "North Macedonia", "sr": "Северна Македонија",
           "sr-latn": "Severna Makedonija", "hr": "Sjeverna Makedonija",
           "bs": "Sjeverna Makedonija", "cnr": "Sjeverna Makedonija",
           "mk": "Северна Македонија", "sq": "Maqedonia e Veriut"},
    "AL": {"en": "Albania", "sr": "Албанија", "sr-latn": "Albanija", "hr": "Albanija",
           "bs": "Albanija", "cnr": "Albanija", "mk": "Албанија", "sq": "Shqipëria"},
    "XK": {"en": "Kosovo", "sr": "Косово", "sr-latn": "Kosovo", "hr": "Kosovo", "bs": "Kosovo",
           "cnr": "Kosovo", "mk": "Косово", "sq": "Kosova"},
    "HR": {"en": "Croatia", "sr": "Хрватска", "sr-latn": "Hrvatska", "hr": "Hrvatska",
           "bs": "Hrvatska", "cnr": "Hrvatska", "mk": "Хрватска", "sq": "Kroacia"},
    "SI": {"en": "Slovenia", "sr": "Словенија", "sr-latn": "Slovenija", "hr": "Slovenija",
           "bs": "Slovenija", "cnr": "Slovenija", "mk": "Словенија", "sq": "Sllovenia"},
    "BG": {"en": "Bulgaria", "sr": "Бугарска", "sr-latn": "Bugarska", "hr": "Bugarska",
           "bs": "Bugarska", "cnr": "Bugarska", "mk": "Бугарија", "sq": "Bullgaria"},
}  # fmt: skip

EDITOR_ONLY = ["ratingscale", "rating"]
PERMISSIONS = {
    "Editors": {
        "ratingscale": ["view", "add", "change", "delete"],
        "rating": ["view", "add", "change", "delete"],
        "topic": ["view", "add", "change", "delete"],
        "country": ["view", "add", "change", "delete"],
        "countryname": ["view", "add", "change", "delete"],
        "author": ["view", "add", "change", "delete"],
        "newsroomsettings": ["view", "change"],
    },
    "Fact-checkers": {
        "ratingscale": ["view"],
        "rating": ["view"],
        "topic": ["view"],
        "country": ["view"],
        "author": ["view", "add", "change"],
    },
}


def _permission(apps, model, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="claims", model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=f"{action}_{model}",
        defaults={"name": f"Can {action} {model}"},
    )
    return permission


def forwards(apps, schema_editor):
    Country = apps.get_model("claims", "Country")
    CountryName = apps.get_model("claims", "CountryName")
    Locale = apps.get_model("wagtailcore", "Locale")
    Group = apps.get_model("auth", "Group")

    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    for country in Country.objects.all():
        names = COUNTRY_NAMES.get(country.code, {})
        for order, (code, locale) in enumerate(sorted(locales.items())):
            name = names.get(code) or (country.name if code == "en" else "")
            if name:
                CountryName.objects.get_or_create(
                    country=country, locale=locale, defaults={"name": name, "sort_order": order}
                )

    for group_name, models in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for model, actions in models.items():
            for action in actions:
                group.permissions.add(_permission(apps, model, action))
    checkers = Group.objects.filter(name="Fact-checkers").first()
    if checkers is not None:
        for model in EDITOR_ONLY:
            for action in ("add", "change", "delete"):
                checkers.permissions.remove(_permission(apps, model, action))


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_reference_data_admin"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
