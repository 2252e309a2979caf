"""GDELT DOC 2.0 API ``mode=ArtList`` results: JSON (``{"articles": [...]}``) or CSV.

ArtList holds *titles and URLs, not article text*: rows get the title in ``title`` and an empty
``text`` (the corpus layer rejects them unless the manifest allows title-only analysis), and the
read carries a note saying so. ``seendate`` (``20240615T170000Z``) is when GDELT *saw* the page,
in UTC, not the publication date; it is passed on as ``date_raw`` with ``date_hint`` =
``2024-06-15``. The outlet is the ``domain`` field.

The API answers errors with *plain text*, sometimes with HTTP 200 ("Please limit requests to one
every 5 seconds ...", "One or more of your keywords were too short, too long or too common ..."):
reading such a body raises :class:`~analysis.schema.CorpusError` quoting it. The body is always
checked before ``json.loads``; JSON with control characters or bad ``\\`` escapes (a documented
API fault) is repaired and the repair noted. ``{}`` means no matches (0 rows, noted).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd

from ..schema import CorpusError, RawRead, Rejection
from .detect import decode_bytes, head_text

ERROR_PREFIXES = (
    "Please limit requests",
    "One or more of your keywords",
    "Your search contained",
    "The specified phrase",
    "Invalid query",
    "Invalid/Unsupported",
    "Timespan is too short",
    "The query was not valid",
    "Queries containing OR",
    "Parentheses may only",
    "Your query was too",
    "Search term",
)
CSV_HEADER_RE = re.compile(
    r"^\ufeff?\"?URL\"?,\"?MobileURL\"?,\"?Date\"?,\"?Title\"?", re.IGNORECASE
)
TITLE_ONLY_NOTE = (
    "GDELT ArtList lists titles and URLs, not article text: 'title' holds the headline and "
    "'text' is empty; allow title-only analysis in the manifest or fetch the texts separately"
)
_BAD_ESCAPE_RE = re.compile(r"\\(?![\"\\/bfnrtu])")


def error_body(text: str) -> str | None:
    """The API's plain-text error message if ``text`` is one, else ``None``."""
    s = text.lstrip("\ufeff").strip()
    if not s or s[0] in "{[":
        return None
    if s.startswith(ERROR_PREFIXES) or (
        len(s) < 2000 and "gdelt" in s.lower() and not CSV_HEADER_RE.match(s)
    ):
        return s
    if s.lower().startswith(("<!doctype html", "<html")) and "gdelt" in s.lower()[:3000]:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", s))[:300]
    return None


def _seen_hint(seen: str) -> str:
    m = re.match(r"^(\d{4})(\d\d)(\d\d)T?\d{0,6}Z?$", seen.strip())
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = re.match(r"^(\d{4}-\d\d-\d\d)", seen.strip())
    return m.group(1) if m else ""


def _loads(text: str, notes: list[str], path: Path) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        try:
            obj = json.loads(text, strict=False)
            notes.append(f"{path.name}: JSON held raw control characters; read leniently")
            return obj
        except json.JSONDecodeError:
            pass
        try:
            obj = json.loads(_BAD_ESCAPE_RE.sub(r"\\\\", text), strict=False)
            notes.append(
                f"{path.name}: JSON held invalid backslash escapes (a known GDELT "
                "fault); they were kept as literal backslashes"
            )
            return obj
        except json.JSONDecodeError:
            raise CorpusError(
                path, f"not valid JSON ({first.msg} at line {first.lineno}, column {first.colno})"
            ) from first


def read_json(path: Path, text: str, notes: list[str]) -> tuple[list[dict], list[Rejection]]:
    """Rows and rejections of an ArtList JSON body."""
    obj = _loads(text, notes, path)
    if isinstance(obj, dict) and not obj:
        notes.append(f"{path.name}: '{{}}' - the query matched no articles")
        return [], []
    if not isinstance(obj, dict) or not isinstance(obj.get("articles"), list):
        raise CorpusError(path, "JSON without an 'articles' list: not a GDELT ArtList response")
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for n, art in enumerate(obj["articles"], start=1):
        pos = f"article {n}"
        if not isinstance(art, dict):
            rejections.append(
                Rejection(pos, "not_an_object", f"a JSON {type(art).__name__}", source=str(path))
            )
            continue
        url = str(art.get("url") or "")
        title = str(art.get("title") or "")
        if not url and not title:
            rejections.append(
                Rejection(pos, "no_title_or_url", json.dumps(art)[:200], source=str(path))
            )
            continue
        seen = str(art.get("seendate") or "")
        rows.append(
            {
                "doc_id": f"{path.stem}-{n}",
                "title": title,
                "text": "",
                "url": url,
                "date_raw": seen,
                "date_hint": _seen_hint(seen),
                "outlet_raw": str(art.get("domain") or ""),
                "url_mobile": str(art.get("url_mobile") or ""),
                "socialimage": str(art.get("socialimage") or ""),
                "language": str(art.get("language") or ""),
                "sourcecountry": str(art.get("sourcecountry") or ""),
                "_pos": pos,
                "_source": str(path),
            }
        )
    return rows, rejections


def read_csv(path: Path, text: str) -> tuple[list[dict], list[Rejection]]:
    """Rows and rejections of an ArtList CSV (``URL,MobileURL,Date,Title``)."""
    from .outlets import outlet_from_url

    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in next(reader, [])]
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for n, rec in enumerate(reader, start=1):
        pos = f"row {n} (line {reader.line_num})"
        if not any(c.strip() for c in rec):
            continue
        if len(rec) != len(header):
            rejections.append(
                Rejection(
                    pos,
                    "wrong_field_count",
                    f"{len(rec)} fields, header has {len(header)}",
                    source=str(path),
                )
            )
            continue
        d = dict(zip(header, rec, strict=True))
        url = d.get("URL", "")
        date = d.get("Date", "")
        rows.append(
            {
                "doc_id": f"{path.stem}-{n}",
                "title": d.get("Title", ""),
                "text": "",
                "url": url,
                "date_raw": date,
                "date_hint": _seen_hint(date),
                "outlet_raw": outlet_from_url(url),
                "url_mobile": d.get("MobileURL", ""),
                "_pos": pos,
                "_source": str(path),
            }
        )
    return rows, rejections


def sniff(path: Path, head: bytes) -> str | None:
    """GDELT ArtList JSON/CSV, or one of the API's plain-text error bodies."""
    text = head_text(head)
    s = text.lstrip("\ufeff").lstrip()
    if s.startswith("{") and re.search(r"\"articles\"\s*:", s[:2000]) and "seendate" in s:
        return "GDELT ArtList JSON ('articles' with 'seendate')"
    if CSV_HEADER_RE.match(s):
        return "GDELT ArtList CSV header URL,MobileURL,Date,Title"
    if len(head) < 4096 and error_body(text) and s.startswith(ERROR_PREFIXES):
        return "GDELT DOC API plain-text error body"
    return None


def read(path: Path, **options: object) -> RawRead:
    """Read an ArtList JSON or CSV; raise :class:`CorpusError` on an API error body."""
    path = Path(path)
    text, note = decode_bytes(path.read_bytes())
    err = error_body(text)
    if err:
        raise CorpusError(
            path, f"the GDELT DOC API returned an error instead of articles: {err[:300]!r}"
        )
    notes = [f"{path.name}: {note}"]
    if CSV_HEADER_RE.match(text.lstrip()):
        rows, rejections = read_csv(path, text)
        layout = "CSV"
    else:
        rows, rejections = read_json(path, text, notes)
        layout = "JSON"
    notes += [
        TITLE_ONLY_NOTE,
        (
            "GDELT 'seendate' is when GDELT saw the page (UTC), not the "
            "publication date; date_hint is its calendar day"
        ),
    ]
    return RawRead(
        pd.DataFrame(rows),
        "gdelt",
        f"GDELT DOC ArtList {layout}",
        rejections,
        expected=None,
        notes=notes,
    )
