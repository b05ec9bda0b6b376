"""SMS encoding: GSM-7 or UCS-2, and how many segments a text costs.

One character outside GSM-7 (an emoji, a curly quote, ë) turns a 160-character segment
into a 70-character one, so texts are made GSM-safe first where that loses nothing a
parent needs: typographic punctuation becomes plain, accents are dropped from letters
GSM-7 does not have (as GOV.UK Notify does).
"""

from __future__ import annotations

import unicodedata

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")  # each costs two septets

_PLAIN = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"',
        "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u2026": "...", "\u00a0": " ", "\u2022": "-", "\t": " ",
    }
)  # fmt: skip


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def gsm_safe(text: str) -> str:
    """Plain punctuation, and accents dropped from letters GSM-7 lacks (ë -> e)."""
    text = text.translate(_PLAIN)
    out = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and is_gsm7(base) else ch)
    return "".join(out)


def segments(text: str) -> tuple[str, int]:
    """('GSM-7' or 'UCS-2', number of segments) for a text as sent."""
    if is_gsm7(text):
        septets = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        return "GSM-7", 1 if septets <= 160 else -(-septets // 153)
    units = len(text.encode("utf-16-le")) // 2
    return "UCS-2", 1 if units <= 70 else -(-units // 67)
