"""Import headers as councils write them: a missing column says which headers were found
and which one looks like it; [import.columns.<file>] maps a council's own headers onto
ours; [import] encoding = "cp1252" reads a file saved by older Excel; every byte that is
not text in the file's encoding is reported, up to the cap."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from tests.bundles import council_terms, school, write_bundle

runner = CliRunner()

# A Capita One style export: its own headers, UK dates, curly apostrophes from Word.
CAPITA_HEADER = ["Pupil Ref", "Forename", "Surname", "Date of Birth", "School URN",
                 "NC Year", "Post Code"]  # fmt: skip
CAPITA_ROWS = [
    ["NC001", "Amelia", "O\u2019Brien", "02/03/2015", "100001", "6", "NR14 7PZ"],
    ["NC002", "Zo\u00eb", "Smith", "09/01/2016", "100001", "5", "NR1 3QA"],
    ["NC003", "Ren\u00e9e", "N\u00ed Bhriain", "12/06/2013", "100001", "8", "IP22 4DN"],
]
MAPPING = """
[import.columns.pupils]
"Pupil Ref" = "pupil_ref"
"FORENAME" = "first_name"          # any case
"  Surname " = "last_name"         # spaces trimmed
"Date of Birth" = "date_of_birth"
"School URN" = "school_urn"
"NC Year" = "year_group"
"Post Code" = "home_postcode"
"""


def bundle(tmp_path: Path, *, encoding: str = "cp1252") -> Path:
    folder = write_bundle(
        tmp_path / "bundle", {"schools.csv": [school()], "terms.csv": council_terms()}
    )
    lines = [",".join(CAPITA_HEADER), *(",".join(row) for row in CAPITA_ROWS)]
    (folder / "pupils.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return folder


def run(tmp_path: Path, db_url: str, config: str, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "council.toml"
    path.write_text(config, encoding="utf-8")
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": str(path)}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_a_missing_column_names_the_headers_found_and_the_nearest(
    tmp_path: Path, db_url: str
) -> None:
    folder = bundle(tmp_path, encoding="utf-8")
    code, _, err = run(tmp_path, db_url, "", "import", str(folder))
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("error: pupils.csv, line 1")]
    assert [line.split(", column ")[1].split(":")[0] for line in errors] == [
        "pupil_ref", "first_name", "last_name", "date_of_birth", "school_urn",
    ]  # fmt: skip
    for line in errors:
        assert 'the header has "Pupil Ref", "Forename", "Surname", "Date of Birth"' in line
    by_column = {line.split(", column ")[1].split(":")[0]: line for line in errors}
    assert '"Date of Birth" looks like date_of_birth' in by_column["date_of_birth"]
    assert '[import.columns.pupils] "Date of Birth" = "date_of_birth"' in by_column["date_of_birth"]
    assert '"Pupil Ref" looks like pupil_ref' in by_column["pupil_ref"]
    assert '"Forename" looks like first_name' in by_column["first_name"]
    assert '"Surname" looks like last_name' in by_column["last_name"]


def test_the_councils_own_headers_mapped_in_the_config_import_in_windows_1252(
    tmp_path: Path, db_url: str
) -> None:
    folder = bundle(tmp_path)
    config = '[import]\nencoding = "cp1252"\n' + MAPPING
    code, out, err = run(tmp_path, db_url, config, "import", str(folder))
    assert code == 0, err
    code, out, err = run(tmp_path, db_url, config, "pupil", "NC001", "--format", "json")
    child = json.loads(out)["pupil"]
    assert (child["first_name"], child["last_name"]) == ("Amelia", "O\u2019Brien")
    assert child["date_of_birth"] == "2015-03-02" and child["year_group"] == "6"
    third = json.loads(run(tmp_path, db_url, config, "pupil", "NC003", "--format", "json")[1])
    assert third["pupil"]["first_name"] == "Ren\u00e9e"


def test_every_byte_not_in_the_encoding_is_reported_capped_like_other_errors(
    tmp_path: Path, db_url: str
) -> None:
    folder = bundle(tmp_path)  # Windows-1252, read as UTF-8 (the default)
    code, _, err = run(tmp_path, db_url, MAPPING, "import", str(folder))
    assert code == 1 and "nothing was written" in err
    bad = [line for line in err.splitlines() if "not valid UTF-8" in line]
    assert [line.split(": the file")[0] for line in bad] == [
        "error: pupils.csv, line 2, column Surname",  # O’Brien: 0x92
        "error: pupils.csv, line 3, column Forename",  # Zoë: 0xeb
        "error: pupils.csv, line 4, column Forename",  # Renée: 0xe9
        "error: pupils.csv, line 4, column Surname",  # Ní: 0xed
    ]
    assert "(byte 0x92)" in bad[0] and 'encoding = "cp1252"' in bad[0]
    capped = MAPPING.replace("[import.columns.pupils]", "[import]\nmax_errors = 2\n\n"
                             "[import.columns.pupils]")  # fmt: skip
    code, _, err = run(tmp_path, db_url, capped, "import", str(folder))
    assert code == 1
    assert sum("not valid UTF-8" in line for line in err.splitlines()) == 2
    assert "and 2 more errors" in err


def test_a_mapping_or_an_encoding_the_service_cannot_use_is_a_config_error(
    tmp_path: Path, db_url: str
) -> None:
    folder = bundle(tmp_path)
    wrong = '[import.columns.pupils]\n"Date of Birth" = "dob"\n'
    code, _, err = run(tmp_path, db_url, wrong, "import", str(folder))
    assert code == 2
    assert "import.columns.pupils" in err and "'dob'" in err and "date_of_birth" in err
    code, _, err = run(tmp_path, db_url, '[import.columns.pupil]\n"A" = "pupil_ref"\n',
                       "import", str(folder))  # fmt: skip
    assert code == 2 and "import.columns.pupil" in err and "pupils" in err
    code, _, err = run(tmp_path, db_url, '[import]\nencoding = "ebcdic"\n', "import", str(folder))
    assert code == 2 and "import.encoding" in err and "cp1252" in err
