"""What the bot says, and in which of the site's eight locales and which script.

* Commands (``/start``, ``/help``...) answer in the user's Telegram app language when it is
  one of the site's locales, else in English (:func:`locale_for_app`).
* Replies to a message follow the message: its language and its script, so a Latin-script
  Serbian message gets a Latin answer and a Cyrillic one a Cyrillic answer
  (:func:`locale_for_text`, with ``search.detect_language`` / ``search.detect_script``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

import search

HBS_LOCALES = ("sr", "sr-latn", "hr", "bs", "cnr")


def site_locales() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def locale_for_app(language_code: str) -> str:
    """A Telegram ``language_code`` (``sr``, ``hr``, ``pt-br``...) as a site locale, else ``en``."""
    code = (language_code or "").strip().lower().replace("_", "-")
    codes = site_locales()
    if code in ("sr-latn", "sr-latn-rs", "sr-latn-me"):
        return "sr-latn"
    if code in ("me", "sr-me"):
        return "cnr"
    if code in codes:
        return code
    base = code.split("-", 1)[0]
    return base if base in codes else "en"


def locale_for_text(text: str, language_code: str = "") -> str:
    """The locale to answer ``text`` in: its language, in its script; the app language
    names the Serbo-Croatian variety when the text cannot."""
    app = locale_for_app(language_code)
    script = search.detect_script(text)
    hints = [app] if app in HBS_LOCALES else []
    guess = search.detect_language(text, hints=hints)
    locale = search.site_locale(guess)
    lowered = text.lower()
    if locale is None or locale not in site_locales():
        # Messages are short and the detector often unsure: letters only Serbo-Croatian
        # (ć đ, and č š ž in Latin text) or only Serbian/Macedonian Cyrillic decide.
        if guess.language in ("hbs", "sh") or (
            script == "latin" and any(ch in lowered for ch in "čćšžđ")
        ):
            locale = app if app in HBS_LOCALES else "sr-latn"
        elif script == "cyrillic" and any(ch in lowered for ch in "ѓќѕ"):
            locale = "mk"
        elif script == "cyrillic" and (app in HBS_LOCALES or any(ch in lowered for ch in "ђћ")):
            locale = "sr"
        else:
            locale = app
    # The script is the writer's, whatever the variety: Serbian has two.
    if locale == "sr" and script == "latin":
        locale = "sr-latn"
    elif locale in HBS_LOCALES and script == "cyrillic":
        locale = "sr"  # Cyrillic hbs is written as Serbian (and Montenegrin) Cyrillic
    return locale


def is_latin_locale(locale: str) -> bool:
    return locale not in ("sr", "mk")


def verdict_label(verdict: str) -> str:
    labels = {
        "true": _("True"),
        "mostly-true": _("Mostly true"),
        "mixed": _("Mixed"),
        "mostly-false": _("Mostly false"),
        "false": _("False"),
        "misleading": _("Misleading"),
        "unproven": _("Unproven"),
        "satire": _("Satire"),
    }
    return labels.get(verdict, _("Other"))


def start_text() -> str:
    return _(
        "Hello! Send me a claim, a post or a link you are not sure about, and I will "
        "look for a fact-check by %(newsroom)s.\n\n"
        "Privacy: we keep your Telegram chat number and your language so that we can "
        "answer you. Your messages are not stored unless you agree to send one to our "
        "editors as a tip, and it is stored without your name. Send /stop at any time "
        "to delete what we keep about you."
    ) % {"newsroom": settings.FACTCHECK_NEWSROOM_NAME}


def help_text() -> str:
    return _(
        "Send me the text of a claim, or a link to it. If we have checked it already, "
        "I answer with our verdict at once. If not, I ask whether our editors may look "
        "at it.\n\n/start: about this bot and your privacy\n/help: this message\n"
        "/stop: delete your data"
    )


def found_text(*, verdict: str, title: str, url: str) -> str:
    return _("We have checked this already.\nVerdict: %(verdict)s\n%(title)s\n%(url)s") % {
        "verdict": verdict,
        "title": title,
        "url": url,
    }


def published_text(*, verdict: str, title: str, url: str) -> str:
    return _(
        "We have published a fact-check of the claim you sent us.\n"
        "Verdict: %(verdict)s\n%(title)s\n%(url)s"
    ) % {"verdict": verdict, "title": title, "url": url}


def ask_consent_text() -> str:
    return _(
        "Thank you. We have not checked this claim yet, but an editor can look at it. "
        "May we add your message to our queue of tips? It is stored without your name."
    )


def consent_buttons() -> tuple[str, str]:
    return _("Yes, send it"), _("No")


def tip_saved_text() -> str:
    return _(
        "Thank you! An editor will look at it. We will tell you here when we publish "
        "a fact-check about it."
    )


def tip_declined_text() -> str:
    return _("All right: we have not kept your message.")


def nothing_pending_text() -> str:
    return _("There is no message waiting for your answer. Send me a claim or a link.")


def stopped_text() -> str:
    return _(
        "Done: we have deleted your chat number, your language and any message waiting "
        "for your answer. Tips you sent earlier stay in our queue with nothing that "
        "links them to you."
    )


def rate_limited_text() -> str:
    return _("You have sent many messages in a short time. Please try again later.")


def unsupported_text() -> str:
    return _("Please send the claim as text or as a link (a caption on a photo works too).")
