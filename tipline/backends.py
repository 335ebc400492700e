"""The small interface a messenger backend implements (Telegram today; Viber, WhatsApp next).

``tipline.services`` runs the conversation against :class:`Tipline` only: a backend turns
the messenger's webhook payload into an :class:`Incoming` and sends plain-text replies,
optionally with the yes/no consent buttons. What Viber and WhatsApp would need:
docs/network.md ("Tipline").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class TiplineSendError(Exception):
    """A reply could not be delivered (network, API error). The message never holds tokens."""


@dataclass(frozen=True)
class Incoming:
    """One thing a sender did, whatever the messenger.

    ``kind``: ``"message"`` (text or a link; captions count), ``"command"`` (``command`` is
    ``start``, ``help``, ``stop``, ``yes``, ``no``...), ``"consent"`` (a button:
    ``consent`` is ``True`` or ``False``) or ``"unsupported"`` (a sticker, a photo without
    a caption...). ``language_code`` is what the messenger says the user's app language is.
    """

    kind: str
    chat_id: int
    text: str = ""
    url: str = ""
    command: str = ""
    consent: bool | None = None
    language_code: str = ""
    callback_id: str = ""


class Tipline(ABC):
    """A messenger the newsroom answers readers on."""

    name: str = ""

    @abstractmethod
    def verify(self, headers: Mapping[str, str]) -> bool:
        """Is this webhook request really from the messenger (constant-time secret check)?"""

    @abstractmethod
    def parse(self, payload: Any) -> Incoming | None:
        """The sender's action in a webhook payload, or ``None`` when there is nothing to do.
        Must accept any JSON value without raising."""

    @abstractmethod
    def send(self, chat_id: int, text: str, *, ask_consent: bool = False) -> None:
        """Send ``text``; with ``ask_consent`` add yes/no buttons. Raises ``TiplineSendError``."""

    def acknowledge(self, incoming: Incoming) -> None:  # noqa: B027 - optional hook
        """Tell the messenger a button press was handled (Telegram's spinner stops)."""

    @abstractmethod
    def connect(self, webhook_url: str) -> None:
        """Point the messenger's webhook at ``webhook_url``. Raises ``TiplineSendError``."""
