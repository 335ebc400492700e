"""Wagtail admin: connect a Telegram bot with its token and webhook secret.

The token and the secret are write-only: the form never shows them back (the listing
shows the token masked, ``123456:AAE…wxyz``); leaving them empty when editing keeps
them, and an empty secret on a new bot is generated. Saving calls ``setWebhook``.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from . import services
from .models import TelegramBot, validate_secret, validate_token


class TelegramBotForm(WagtailAdminModelForm):
    token = forms.CharField(
        label=_("Bot token"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("From @BotFather. Leave empty to keep the current token."),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Telegram sends it with every update; requests without it are refused. "
            "Leave empty to generate one (or to keep the current one)."
        ),
    )

    class Meta:
        model = TelegramBot
        fields = ["name", "token", "webhook_secret", "enabled"]

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token", "").strip()
        if not token:
            if self.instance.pk and self.instance.token:
                return self.instance.token
            raise forms.ValidationError(_("Paste the bot token from @BotFather."))
        validate_token(token)
        return token

    def clean_webhook_secret(self) -> str:
        secret = self.cleaned_data.get("webhook_secret", "").strip()
        if not secret:
            return self.instance.webhook_secret or secrets.token_urlsafe(32)
        validate_secret(secret)
        return secret


class _ConnectOnSave:
    def save_instance(self):
        bot = super().save_instance()
        if not bot.enabled:
            return bot
        if services.bot_connect(bot):
            messages.success(self.request, _("Telegram now sends this bot's messages here."))
        else:
            messages.warning(
                self.request,
                _("Saved, but Telegram did not accept the webhook: %(error)s")
                % {"error": bot.last_error},
            )
        return bot


class TelegramBotCreateView(_ConnectOnSave, generic.CreateView):
    pass


class TelegramBotEditView(_ConnectOnSave, generic.EditView):
    pass


class TelegramBotViewSet(ModelViewSet):
    model = TelegramBot
    icon = "mail"
    menu_label = _("Tipline bots")
    add_to_admin_menu = True
    menu_order = 250
    add_view_class = TelegramBotCreateView
    edit_view_class = TelegramBotEditView
    list_display = ["name", "masked_token", "enabled", "connected_at", "last_error"]

    def get_form_class(self, for_update=False):
        return TelegramBotForm
