"""The council's own headers and its files' encoding, as the config says them
([import] encoding, [import.columns.<file>]), and what a missing column's message says:
the headers the file has, and the one that looks like the column wanted."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from transport.errors import ConfigError
from transport.imports.files import FileSpec


def folded(header: str) -> str:
    """A header as it is matched: spaces trimmed (and runs of them made one), any case."""
    return " ".join(header.split()).lower()


UTF8 = ("utf-8", "utf8", "utf-8-sig", "utf_8")
# Encodings a council's files may be in ([import] encoding): ASCII's bytes mean the same in
# each, so a line break and a comma are found before decoding.
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "windows-1252": "Windows-1252",
             "latin-1": "ISO-8859-1", "iso-8859-1": "ISO-8859-1"}  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """How the council's files are read: their encoding ([import] encoding), and its own
    headers mapped onto ours, file by file ([import.columns.<file>], matched after
    trimming spaces and ignoring case)."""

    encoding: str = "utf-8"
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def codec(self) -> str:
        """The codec to decode with (UTF-8 with or without a byte-order mark)."""
        return "utf-8-sig" if self.encoding.lower() in UTF8 else self.encoding.lower()

    @property
    def name(self) -> str:
        return ENCODINGS.get(self.encoding.lower(), self.encoding)

    def names(self, spec: FileSpec, header: list[str]) -> list[str]:
        """Our column name for each header cell: the config's mapping of the council's
        header, else the header itself (trimmed, any case)."""
        mapped = {folded(theirs): ours for theirs, ours in self.columns.get(spec.stem, {}).items()}
        return [mapped.get(folded(cell), cell.strip().lower()) for cell in header]


def check_mapping(columns: Mapping[str, Mapping[str, str]], specs: Sequence[FileSpec]) -> None:
    """Each mapped file is a bundle file, and each header is mapped onto one of its
    columns: a ConfigError naming the key otherwise."""
    by_stem = {spec.stem: spec for spec in specs}
    for stem, mapping in columns.items():
        spec = by_stem.get(stem)
        if spec is None:
            raise ConfigError(
                f"config key 'import.columns.{stem}': no bundle file {stem}.csv; expected one "
                f"of {', '.join(sorted(by_stem))}"
            )
        ours = [column.name for column in spec.columns]
        for theirs, target in mapping.items():
            if target not in ours:
                raise ConfigError(
                    f"config key 'import.columns.{stem}' maps {theirs!r} to {target!r}, not a "
                    f"column of {spec.name}; expected one of {', '.join(ours)}"
                )


HEADERS_SHOWN = 25  # the headers a missing column's message lists
# Headers councils' case systems often use, and the column each one means.
USUAL = {
    "forename": "first_name", "firstname": "first_name", "givenname": "first_name",
    "legalforename": "first_name", "preferredforename": "first_name",
    "surname": "last_name", "lastname": "last_name", "familyname": "last_name",
    "legalsurname": "last_name", "dob": "date_of_birth", "birthdate": "date_of_birth",
    "dateofbirth": "date_of_birth", "upn": "pupil_ref", "pupilref": "pupil_ref",
    "pupilid": "pupil_ref", "personid": "pupil_ref", "postcode": "home_postcode",
    "homepostcode": "home_postcode", "schoolurn": "school_urn", "urn": "urn",
    "establishmenturn": "school_urn", "ncyear": "year_group", "yeargroup": "year_group",
    "nationalcurriculumyear": "year_group", "sen": "send", "senstatus": "send",
    "emailaddress": "email", "mobilenumber": "mobile", "mobilephone": "mobile",
    "telephone": "landline", "homephone": "landline", "contactname": "name",
}  # fmt: skip


def missing_column(spec: FileSpec, name: str, header: list[str], unused: list[str]) -> str:
    """A required column's message: missing, the headers found, and the nearest one."""
    return (
        "required column is missing from the header" + _found(header) + _nearest(spec, name, unused)
    )


def _found(header: list[str]) -> str:
    cells = [cell.strip() for cell in header if cell.strip()]
    shown = ", ".join(f'"{cell}"' for cell in cells[:HEADERS_SHOWN])
    more = f" and {len(cells) - HEADERS_SHOWN} more" if len(cells) > HEADERS_SHOWN else ""
    return f"; the header has {shown}{more}" if cells else "; the header is empty"


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _nearest(spec: FileSpec, name: str, unused: list[str]) -> str:
    """Which of the file's unused headers looks like the missing column, and how to say
    so in the config."""
    want = _squashed(name)
    scored = []
    for cell in unused:
        squashed = _squashed(cell)
        score = (
            1.0
            if USUAL.get(squashed) == name
            else difflib.SequenceMatcher(None, want, squashed).ratio()
        )
        if score >= 0.75:
            scored.append((-score, cell))
    if not scored:
        return f"; expected a column named {name}"
    cell = min(scored)[1]
    return (
        f'; "{cell}" looks like {name}: rename it, or map it in the config '
        f'([import.columns.{spec.stem}] "{cell}" = "{name}")'
    )
