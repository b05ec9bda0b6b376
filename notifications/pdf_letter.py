"""A letter as an A4 PDF a post room can print, fold in three and put in a DL window
envelope (fpdf2: pure Python, maintained by the py-pdf organisation, embeds TrueType
fonts so that every name prints; no system library or browser needed).

The layout follows the usual UK window position: the address block starts 25 mm from the
left edge and 50 mm from the top of the page and fits 85 mm by 35 mm (seven lines), inside
the 90 x 45 mm window of a DL envelope once the page is folded in three. The council's
name, return address and phone are at the top right; the date and our reference beside
the address; the heading and text below, on as many pages as they need.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from notifications.ports import LetterMessage

# Where the address goes (mm from the page's left and top edges), as a DL window shows it.
WINDOW_X, WINDOW_Y, WINDOW_W, WINDOW_H = 25.0, 50.0, 85.0, 35.0
ADDRESS_LINE_MM = 5.0
MAX_ADDRESS_LINES = 7
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu: fonts-dejavu-core
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  # Fedora, RHEL
    "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)


@lru_cache(maxsize=4)
def font_file(configured: str = "") -> Path | None:
    """The TrueType font letters are set in: the configured one, else DejaVu Sans where
    the system has it; None: the PDF's built-in Helvetica (Latin letters only)."""
    if configured:
        return Path(configured)
    return next((Path(p) for p in FONT_CANDIDATES if Path(p).is_file()), None)


def letter_pdf(
    message: LetterMessage, *, return_address: tuple[str, ...] = (), font: str = ""
) -> bytes:
    """The letter's PDF, ready to print."""
    pdf = _Letter(message.council_name)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(25, 20, 20)
    family, bold = _fonts(pdf, font_file(font))
    clean = str if family != "Helvetica" else latin1
    pdf.footer_font, pdf.clean = family, clean
    pdf.alias_nb_pages()
    pdf.add_page()
    # The council, at the top right.
    pdf.set_font(family, bold, size=12)
    pdf.set_xy(120, 20)
    pdf.multi_cell(65, 6, clean(message.council_name), align="R")
    pdf.set_font(family, "", size=9)
    for line in (*return_address, f"Telephone {message.council_phone}"):
        pdf.set_x(120)
        pdf.multi_cell(65, 4.5, clean(line), align="R")
    # The address, in the window.
    pdf.set_font(family, "", size=11)
    for index, line in enumerate(message.address[:MAX_ADDRESS_LINES]):
        pdf.set_xy(WINDOW_X, WINDOW_Y + index * ADDRESS_LINE_MM)
        pdf.cell(WINDOW_W, ADDRESS_LINE_MM, clean(line))
    # The date and our reference, beside it.
    pdf.set_font(family, "", size=10)
    pdf.set_xy(130, WINDOW_Y)
    pdf.cell(55, 5, _long_date(message.dated), align="R")
    pdf.set_xy(130, WINDOW_Y + 6)
    pdf.cell(55, 5, f"Our reference: {message.reference}", align="R")
    # The heading and the text.
    pdf.set_xy(25, WINDOW_Y + WINDOW_H + 15)
    pdf.set_font(family, bold, size=12)
    pdf.multi_cell(160, 6, clean(message.heading))
    pdf.ln(3)
    pdf.set_font(family, "", size=11)
    for paragraph in message.text.strip("\n").split("\n"):
        if paragraph.strip():
            indent = len(paragraph) - len(paragraph.lstrip(" "))
            pdf.set_x(25 + indent * 1.5)
            pdf.multi_cell(160 - indent * 1.5, 5.5, clean(paragraph.strip()))
        else:
            pdf.ln(3)
    return bytes(pdf.output())


class _Letter(FPDF):
    """A page's foot: the council and the page number (a post room can tell the pages of
    one letter from the next)."""

    def __init__(self, council: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.council = council
        self.footer_font = "Helvetica"
        self.clean: Callable[[str], str] = str

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.footer_font, "", size=8)
        text = f"{self.clean(self.council)}: school transport. Page {self.page_no()} of {{nb}}"
        self.cell(0, 5, text, align="C")


def _fonts(pdf: FPDF, path: Path | None) -> tuple[str, str]:
    """The font family, and the style for bold ('' when the font has no bold face)."""
    if path is None:
        return "Helvetica", "B"
    pdf.add_font("Letter", "", str(path))
    bold = path.with_name(path.name.replace(".ttf", "-Bold.ttf"))
    if not bold.is_file():
        return "Letter", ""
    pdf.add_font("Letter", "B", str(bold))
    return "Letter", "B"


def latin1(text: str) -> str:
    """Text the built-in Helvetica can set: letters outside Latin-1 lose their accents
    (Łukasz -> Lukasz), anything else becomes '?'."""
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)
            kept = "".join(c for c in base if not unicodedata.combining(c))
            out.append(kept if kept and kept.isascii() else _NEAREST.get(char, "?"))
    return "".join(out)


_NEAREST = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "ı": "i", "’": "'",
            "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}  # fmt: skip


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
