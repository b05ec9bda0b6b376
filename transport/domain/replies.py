"""What a text a family sends us means (pure): the words that opt a number out of our
texts or back in, as the mobile networks and Twilio read them, or a reply for the team."""

from __future__ import annotations

from transport.vocabulary import InboundKind

OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP"})


def classify_text(text: str) -> InboundKind:
    """A text that is exactly one of the words (any case, spaces around it trimmed) is
    that word's kind; anything else, "STOP please" included, is a reply to read."""
    word = text.strip().upper()
    if word in OPT_OUT_WORDS:
        return InboundKind.OPT_OUT
    if word in OPT_IN_WORDS:
        return InboundKind.OPT_IN
    if word in HELP_WORDS:
        return InboundKind.HELP
    return InboundKind.REPLY
