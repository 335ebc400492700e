"""The Telegram tipline end to end: recorded updates in, the real Bot API client out to a
fake Bot API on loopback, a real search index and real fact-check pages."""

from __future__ import annotations

import json
import logging

import pytest
from django.utils import translation

import search
from claims.models import Rating, Tip
from tipline import messages
from tipline.models import TiplineSender, TiplineTip

pytestmark = pytest.mark.django_db

CYRILLIC_CLAIM = "Од марта забрањено сушење веша на терасама у Београду"
LATIN_CLAIM = "Od marta zabranjeno sušenje veša na terasama u Beogradu"


@pytest.fixture
def debunk(search_index, make_factcheck):
    """A published Cyrillic Serbian debunk (its Latin mirror is created on publish)."""
    return make_factcheck(
        locale="sr",
        slug="susenje-vesa",
        title="Нема забране сушења веша на терасама",
        claim_reviewed=CYRILLIC_CLAIM,
        summary="Нетачно. Град није донео такву одлуку.",
    )


def _in(locale: str, text) -> str:
    with translation.override(locale):
        return text()


# --- The webhook's guard ----------------------------------------------------------------


def test_requests_without_the_right_secret_are_refused(post_update, updates, bot, bot_api):
    update = updates.load("command_start")
    secret = bot.webhook_secret

    assert post_update(update, secret=None).status_code == 403
    assert post_update(update, secret="wrong-" + secret).status_code == 403
    assert post_update(update, secret=secret[:-1]).status_code == 403
    assert bot_api.calls == []  # nothing was answered
    assert post_update(update).status_code == 200
    assert len(bot_api.sent()) == 1


def test_unknown_or_disabled_bot_and_get_are_refused(client, bot, updates, bot_api):
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": bot.webhook_secret}
    body = json.dumps(updates.load("command_start"))
    url = f"/tipline/telegram/{bot.pk + 1}/"
    assert client.post(url, body, content_type="application/json", **headers).status_code == 403
    bot.enabled = False
    bot.save()
    url = f"/tipline/telegram/{bot.pk}/"
    assert client.post(url, body, content_type="application/json", **headers).status_code == 403
    assert client.get(url, **headers).status_code == 405
    assert bot_api.calls == []


def test_oversized_body_is_refused_before_parsing(post_update, settings, bot_api):
    settings.FACTCHECK_TIPLINE_MAX_BODY = 2048
    big = {"update_id": 1, "message": {"text": "x" * 5000}}
    assert post_update(big).status_code == 413
    # Without the secret, the size is never looked at: 403 first.
    assert post_update(big, secret=None).status_code == 403
    assert bot_api.calls == []


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[" * 20000 + b"]" * 20000,  # nesting deeper than the parser's recursion limit
        b'{"update_id": ' + b"9" * 5000 + b"}",  # an integer Python refuses to parse
        b"\xff\xfe\x00garbage",
    ],
    ids=["broken", "deep", "huge-int", "bytes"],
)
def test_malformed_json_is_a_400(post_update, raw, bot_api):
    assert post_update(None, raw=raw).status_code == 400
    assert bot_api.calls == []


@pytest.mark.parametrize(
    "payload",
    [
        [],
        42,
        "update",
        {"update_id": "1", "message": "hello"},
        {"update_id": 3, "message": {"chat": {"id": "5550001", "type": "private"}, "text": "x"}},
        {"update_id": 4, "message": {"chat": {"id": True, "type": "private"}, "text": "x"}},
        {"update_id": 5, "message": {"chat": {"id": 10**30, "type": "private"}, "text": "x"}},
        {"update_id": 6, "message": {"chat": [], "text": {"a": 1}}},
        {"update_id": 7, "callback_query": {"message": {"chat": {"id": 1}}, "data": "x" * 10}},
        {"update_id": 8, "callback_query": {"data": "consent:yes", "message": None}},
    ],
)
def test_hostile_updates_do_nothing_and_do_not_fail(post_update, payload, bot_api):
    assert post_update(payload).status_code == 200
    assert bot_api.calls == []
    assert not TiplineSender.objects.exists()


def test_group_messages_are_ignored(post_update, updates, bot_api):
    assert post_update(updates.load("group_message")).status_code == 200
    assert bot_api.calls == []


def test_a_redelivered_update_is_answered_once(post_update, updates, bot_api):
    update = updates.load("command_start")
    post_update(update)
    post_update(update)
    assert len(bot_api.sent()) == 1


# --- Matching and the reader's script ---------------------------------------------------


def test_latin_message_gets_a_latin_answer_with_the_latin_page(
    post_update, updates, debunk, bot_api
):
    post_update(updates.load("text", text=LATIN_CLAIM, language_code="en"))

    (reply,) = bot_api.sent()
    text = reply["text"]
    assert reply["chat_id"] == 5550001
    assert search.detect_script(text.replace(reply["text"].split()[-1], "")) == "latin"
    assert "Nema zabrane sušenja veša na terasama" in text
    assert "Neistina" in text  # the verdict, in Serbian Latin
    assert "/sr-latn/" in text.split()[-1]
    assert not TiplineSender.objects.exists()  # a matched message is not kept


def test_cyrillic_message_gets_a_cyrillic_answer(post_update, updates, debunk, bot_api):
    post_update(updates.load("text", text=CYRILLIC_CLAIM, language_code="en"))

    (reply,) = bot_api.sent()
    text = reply["text"]
    assert search.detect_script(text.rsplit("\n", 1)[0]) == "cyrillic"
    assert "Нема забране сушења веша на терасама" in text and "Неистина" in text
    assert "/sr/" in text.split()[-1] and debunk.slug in text


@pytest.mark.parametrize(
    ("name", "script"),
    [("forwarded", "latin"), ("photo_caption", "cyrillic"), ("edited", "cyrillic")],
)
def test_forwarded_captioned_and_edited_messages_are_matched(
    post_update, updates, debunk, bot_api, name, script
):
    post_update(updates.load(name))

    (reply,) = bot_api.sent()
    assert search.detect_script(reply["text"].rsplit("\n", 1)[0]) == script
    assert debunk.slug in reply["text"]


# --- No match: consent, the tip, the notice when it is published -----------------------


def test_no_match_asks_consent_then_the_tip_joins_the_queue_and_the_sender_hears_back(
    post_update, updates, debunk, bot_api
):
    claim = "Vlada uvodi porez na kućne ljubimce od sledeće godine"
    post_update(updates.load("text", text=claim, language_code="sr"))

    (question,) = bot_api.sent()
    assert question["text"] == _in("sr-latn", messages.ask_consent_text)
    buttons = question["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == ["consent:yes", "consent:no"]
    assert not Tip.objects.exists()  # nothing in the queue before the sender agrees

    post_update(updates.load("callback_yes"))

    tip = Tip.objects.get()
    assert tip.text == claim and tip.contact == "" and tip.claim is not None
    assert bot_api.sent("answerCallbackQuery")[0]["callback_query_id"] == "4382bfdwdsb323b2d9"
    assert bot_api.texts()[-1] == _in("sr-latn", messages.tip_saved_text)
    sender = TiplineSender.objects.get()
    assert sender.pending_text == "" and sender.pending_since is None

    # The fact-checker writes and publishes the fact-check of that claim.
    from claims import services

    page = services.claim_start_factcheck(claim=tip.claim)
    page.rating = Rating.objects.get(scale__key="truth", key="false", locale=page.locale)
    page.summary = "Netačno. Takav porez nije predložen."
    page.title = "Nema poreza na kućne ljubimce"
    page.save_revision().publish()

    notice = bot_api.texts()[-1]
    assert notice.startswith("Objavili smo proveru tvrdnje koju ste nam poslali.")
    assert "Nema poreza na kućne ljubimce" in notice and "Neistina" in notice
    assert TiplineTip.objects.get().notified_at is not None
    sent_before = len(bot_api.sent())
    page.save_revision().publish()  # published again: no second notice
    assert len(bot_api.sent()) == sent_before


def test_no_means_nothing_is_kept(post_update, updates, search_index, bot_api):
    post_update(updates.load("text", text="Neka sasvim nova tvrdnja o izborima u gradu"))
    refusal = updates.load("callback_yes")
    refusal["callback_query"]["data"] = "consent:no"
    post_update(refusal)

    assert not Tip.objects.exists()
    assert TiplineSender.objects.get().pending_text == ""
    assert bot_api.texts()[-1] == _in("sr-latn", messages.tip_declined_text)


def test_a_link_becomes_a_tip_with_its_url(post_update, updates, search_index, bot_api):
    url = f"{bot_api.base}/objava/123"
    link = updates.load("link")
    link["message"]["text"] = url
    link["message"]["entities"][0]["length"] = len(url)
    post_update(link)
    post_update(updates.load("callback_yes"))

    tip = Tip.objects.get()
    assert tip.url == url
    assert tip.claim is not None  # fetched through the guarded client, then queued


def test_yes_without_a_waiting_message_stores_nothing(post_update, updates, bot_api):
    post_update(updates.load("callback_yes"))
    assert not Tip.objects.exists()
    assert bot_api.texts() == [_in("sr", messages.nothing_pending_text)]


def test_a_photo_without_caption_gets_a_hint(post_update, updates, bot_api):
    post_update(updates.load("photo_only"))
    assert bot_api.texts() == [_in("mk", messages.unsupported_text)]


# --- Commands, languages, erasure, limits ----------------------------------------------


@pytest.mark.parametrize(
    ("language_code", "locale"),
    [
        ("mk", "mk"),
        ("sr", "sr"),
        ("sr-Latn", "sr-latn"),
        ("hr", "hr"),
        ("bs", "bs"),
        ("cnr", "cnr"),
        ("sq", "sq"),
        ("en", "en"),
        ("de", "en"),
        ("", "en"),
    ],
)
def test_start_answers_in_the_app_language_and_states_privacy(
    post_update, updates, bot_api, language_code, locale
):
    post_update(updates.load("command_start", language_code=language_code))

    (text,) = bot_api.texts()
    assert text == _in(locale, messages.start_text)
    assert "/stop" in text
    if locale != "en":
        assert text != _in("en", messages.start_text), f"no {locale} translation"


def test_help_in_app_language(post_update, updates, bot_api):
    post_update(updates.load("command_start", text="/help@provjera_bot", language_code="sq"))
    assert bot_api.texts() == [_in("sq", messages.help_text)]


@pytest.mark.parametrize(
    ("language_code", "text", "locale"),
    [
        ("en", "The government will ban all cash payments from next month", "en"),
        ("sr", "Влада ће од следећег месеца забранити сва плаћања готовином", "sr"),
        ("sr", "Vlada će od sledećeg meseca zabraniti sva plaćanja gotovinom", "sr-latn"),
        ("hr", "Vlada će od idućeg mjeseca zabraniti sva plaćanja gotovinom", "hr"),
        ("bs", "Vlada će od narednog mjeseca zabraniti sva plaćanja gotovinom", "bs"),
        ("cnr", "Vlada će od narednog mjeseca zabraniti sva plaćanja gotovinom", "cnr"),
        ("mk", "Владата ќе ги забрани сите плаќања во готовина од следниот месец", "mk"),
        (
            "sq",
            "Qeveria do të ndalojë të gjitha pagesat me para në dorë nga muaji i ardhshëm",
            "sq",
        ),
    ],
)
def test_a_message_in_each_language_is_answered_in_it(
    post_update, updates, search_index, bot_api, language_code, text, locale
):
    post_update(updates.load("text", text=text, language_code=language_code))
    assert bot_api.texts() == [_in(locale, messages.ask_consent_text)]


def test_stop_erases_the_sender_and_the_link_to_their_tips(
    post_update, updates, search_index, bot_api
):
    post_update(updates.load("text", text="Neka sasvim nova tvrdnja o izborima u gradu"))
    post_update(updates.load("callback_yes"))
    post_update(updates.load("text", text="Još jedna tvrdnja koja čeka odgovor o porezima"))
    assert TiplineSender.objects.get().pending_text

    post_update(updates.load("command_start", text="/stop", language_code="sr"))

    assert not TiplineSender.objects.exists()
    assert not TiplineTip.objects.exists()
    tip = Tip.objects.get()  # the tip stays in the queue, anonymous
    assert tip.contact == ""
    assert bot_api.texts()[-1] == _in("sr", messages.stopped_text)


def test_rate_limit_per_sender(post_update, updates, settings, bot_api):
    settings.FACTCHECK_TIPLINE_RATE_LIMIT = 3
    for _ in range(6):
        assert post_update(updates.load("command_start", text="/help")).status_code == 200

    texts = bot_api.texts()
    assert len(texts) == 4  # three answers, one "slow down", then silence
    assert texts[-1] == _in("mk", messages.rate_limited_text)
    other = updates.load("command_start", text="/help")
    other["message"]["chat"]["id"] = other["message"]["from"]["id"] = 5550002
    post_update(other)
    assert len(bot_api.texts()) == 5  # another sender is not limited


def test_failed_replies_are_logged_without_token_or_content(
    post_update, updates, bot, bot_api, caplog
):
    bot_api.fail_with = 502
    with caplog.at_level(logging.INFO):
        response = post_update(updates.load("text", text="Tajna poruka o nečemu važnom za grad"))
    assert response.status_code == 200  # Telegram must not re-send it forever
    assert bot_api.sent()  # it was tried
    assert bot.token.split(":")[1] not in caplog.text
    assert "Tajna poruka" not in caplog.text
    assert "sendMessage: HTTP 502" in caplog.text


def test_replies_go_to_the_configured_api_with_the_token(post_update, updates, bot, bot_api):
    post_update(updates.load("command_start"))
    assert bot_api.paths == [f"/bot{bot.token}/sendMessage"]
