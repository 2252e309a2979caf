"""Media Cloud story lists: search-tool CSV (2023+), Explorer CSV (<=2022) and API JSON.

* Search tool "DOWNLOAD ALL URLS" CSV: ``id,indexed_date,language,media_name,media_url,
  publish_date,title,url`` - ``id`` is a 64-hex string;
* Explorer / topic CSV: ``stories_id,publish_date,title,url,language,ap_syndicated,themes,
  media_id,media_name,media_url`` - ``stories_id`` an integer, ``media_name`` may carry trailing
  spaces and ``media_url`` a ``#spider`` suffix (kept raw; :mod:`.outlets` normalises);
* JSON: a list of story objects (API v2 stories, the 2022 wayback/colsearch search output with
  ``publication_date``/``domain``), an API v4 envelope ``{"stories": [...]}``, one story object,
  or a ``{"<stories_id>": [sentence, ...]}`` sentence dump (sentences joined in order into the
  text).

Both id schemes are kept as strings in ``doc_id``. Story lists hold titles and URLs; only API v2
``story_text`` (or v4 ``text``) or sentence dumps give article text - otherwise ``text`` is empty
and a note says so (title-only, like GDELT). ``date_hint`` is the ``YYYY-MM-DD`` part of
``publish_date`` when it has one.
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
from .outlets import outlet_from_url

ID_KEYS = ("stories_id", "id", "story_id")
DATE_KEYS = ("publish_date", "publication_date")
TEXT_KEYS = ("story_text", "text", "full_text")
TITLE_ONLY_NOTE = (
    "Media Cloud story lists hold titles and URLs, not article text: 'text' is empty for {n} of "
    "{m} stories; allow title-only analysis in the manifest or fetch the texts separately"
)
_MC_HEADER_KEYS = {
    "stories_id",
    "media_name",
    "media_url",
    "publish_date",
    "indexed_date",
    "media_id",
}


def _date_hint(value: str) -> str:
    m = re.match(r"^(\d{4}-\d\d-\d\d)(?:$|[ T])", value.strip())
    return m.group(1) if m else ""


def story_row(story: dict, n: int, path: Path, pos: str) -> dict:
    """One story object as a raw row (schema names where they exist, other keys kept)."""
    sid = next((story[k] for k in ID_KEYS if story.get(k) not in (None, "")), None)
    date = next((str(story[k]) for k in DATE_KEYS if story.get(k) not in (None, "")), "")
    text = next((str(story[k]) for k in TEXT_KEYS if story.get(k) not in (None, "")), "")
    url = str(story.get("url") or "")
    outlet = story.get("media_name") or story.get("domain") or ""
    if not outlet and (story.get("media_url") or url):
        outlet = outlet_from_url(str(story.get("media_url") or url))
    row = {
        "doc_id": str(sid) if sid is not None else f"{path.stem}-{n}",
        "title": str(story.get("title") or ""),
        "text": text,
        "date_raw": date,
        "date_hint": _date_hint(date),
        "outlet_raw": str(outlet),
        "url": url,
    }
    for k, v in story.items():
        if k in ID_KEYS or k in DATE_KEYS or k in TEXT_KEYS or k in ("title", "url"):
            continue
        if isinstance(v, (list, dict)):
            v = json.dumps(v, ensure_ascii=False)
        row[k if k not in row else f"mc_{k}"] = "" if v is None else v
    row["_pos"] = pos
    row["_source"] = str(path)
    return row


def read_csv(path: Path, text: str) -> tuple[list[dict], list[Rejection], str]:
    """Rows, rejections and layout name of a Media Cloud CSV."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip() for h in next(reader, [])]
    layout = "search-tool CSV" if "indexed_date" in header else "Explorer CSV"
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
                    f"{len(rec)} fields, the header has {len(header)}",
                    source=str(path),
                )
            )
            continue
        rows.append(story_row(dict(zip(header, rec, strict=True)), n, path, pos))
    return rows, rejections, layout


def _stories(obj: object) -> tuple[list[object], str]:
    if isinstance(obj, list):
        return obj, "story list JSON"
    if isinstance(obj, dict):
        if isinstance(obj.get("stories"), list):
            return obj["stories"], "API stories envelope JSON"
        if any(k in obj for k in ID_KEYS) and ("title" in obj or "url" in obj):
            return [obj], "single story JSON"
        if obj and all(
            isinstance(v, list) and re.fullmatch(r"\d+", str(k)) for k, v in obj.items()
        ):
            stories = []
            for sid, sents in obj.items():
                ordered = sorted(
                    (s for s in sents if isinstance(s, dict)),
                    key=lambda s: s.get("sentence_number", 0),
                )
                first = ordered[0] if ordered else {}
                stories.append(
                    {
                        "stories_id": sid,
                        "text": " ".join(str(s.get("sentence", "")) for s in ordered).strip(),
                        "publish_date": first.get("publish_date", ""),
                        "media_id": first.get("media_id", ""),
                        "language": first.get("language", ""),
                        "n_sentences": len(ordered),
                    }
                )
            return stories, "sentences-by-story JSON"
    return [], ""


def read_json(path: Path, text: str) -> tuple[list[dict], list[Rejection], str]:
    """Rows, rejections and layout name of Media Cloud JSON."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorpusError(path, f"not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    stories, layout = _stories(obj)
    if not layout:
        raise CorpusError(
            path, "JSON is not a Media Cloud story list, story, stories envelope or sentence dump"
        )
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for n, story in enumerate(stories, start=1):
        pos = f"story {n}"
        if not isinstance(story, dict):
            rejections.append(
                Rejection(pos, "not_an_object", f"a JSON {type(story).__name__}", source=str(path))
            )
            continue
        rows.append(story_row(story, n, path, pos))
    return rows, rejections, layout


def _is_mc_header(line: str) -> bool:
    cols = {c.strip().strip('"') for c in line.lstrip("\ufeff").split(",")}
    if "stories_id" in cols and ({"title", "url"} & cols):
        return True
    return {"id", "indexed_date", "media_name", "publish_date", "url"} <= cols or (
        len(_MC_HEADER_KEYS & cols) >= 3 and "url" in cols
    )


def sniff(path: Path, head: bytes) -> str | None:
    """Media Cloud CSV header, or JSON with Media Cloud story keys."""
    text = head_text(head).lstrip("\ufeff")
    first = text.split("\n", 1)[0].strip()
    if first and not first.startswith(("{", "[")) and _is_mc_header(first):
        return f"Media Cloud CSV header ({first[:60]}...)"
    s = text.lstrip()
    if s.startswith(("{", "[")):
        probe = s[:5000]
        if re.search(r"\"stories_id\"\s*:", probe) or re.search(r"\"stories\"\s*:\s*\[", probe):
            return "JSON with Media Cloud 'stories_id'/'stories' keys"
        if re.search(r"wayback-api\.archive\.org/colsearch/v1/mediacloud", probe):
            return "Media Cloud (wayback colsearch) story JSON"
        if re.search(r"\"media_name\"\s*:", probe) and re.search(r"\"publish_date\"\s*:", probe):
            return "JSON with Media Cloud 'media_name'/'publish_date' keys"
    return None


def read(path: Path, **options: object) -> RawRead:
    """Read a Media Cloud CSV or JSON export (recognised from the content)."""
    path = Path(path)
    text, note = decode_bytes(path.read_bytes())
    if text.lstrip("\ufeff").lstrip().startswith(("{", "[")):
        rows, rejections, layout = read_json(path, text)
    else:
        rows, rejections, layout = read_csv(path, text)
    notes = [f"{path.name}: {note}"]
    empty = sum(1 for r in rows if not str(r["text"]).strip())
    if empty:
        notes.append(TITLE_ONLY_NOTE.format(n=empty, m=len(rows)))
    df = pd.DataFrame(rows)
    if len(df):
        dups = int(df.drop(columns=["_pos", "doc_id"]).astype(str).duplicated().sum())
        if dups:
            notes.append(f"{path.name}: {dups} exact duplicate record(s) (left to deduplication)")
    return RawRead(
        df, "mediacloud", f"Media Cloud {layout}", rejections, expected=None, notes=notes
    )
