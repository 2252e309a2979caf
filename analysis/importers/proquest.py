"""ProQuest exports: "Save as text" TXT, e-mail exports (``.eml``) and their HTML.

* TXT: records separated by a line of 60 underscores, optionally ``Document n of N``, an
  unlabelled headline (and URL), then labelled fields (``Abstract:``, ``Full text:`` ...). The
  file ends with a trailer (``Contact us at:``, ``Database copyright ...``) after the last
  separator. Expected = number of records between separators (``Document n of N`` count when
  present).
* E-mail / HTML: the HTML part (quoted-printable, decoded by the standard ``email`` package) holds
  one block per article opened by ``<a name="DocID_MSTAR_<id>">``. The page is *cut at those
  anchors before any tag is interpreted*, so a malformed embedded ``<html>`` tag in one article
  cannot swallow the articles after it (the tm.plugin.proquest failure); the number of
  ``DocID_MSTAR_`` anchors is the expected count.

Both are parsed line by line: the headline is the first line, ``Full text:`` opens the body, and
the body ends at the first line that opens the trailing index block (``Subject:``, ``Title:``,
``Publication title:`` ... from a fixed list), so body lines such as ``ANCASTER:`` or
``Ticket price:`` stay text. ``CAPTION:``/``CREDIT:`` lines inside the body go to ``caption``.
``doc_id`` is the ``ProQuest document ID``.
"""

from __future__ import annotations

import email
import html as html_lib
import itertools
import re
from email import policy
from pathlib import Path

import pandas as pd

from ..schema import CorpusError, RawRead, Rejection
from .detect import declared_charset, decode_bytes, head_text
from .html_page import html_to_text

SEP_RE = re.compile(r"^_{60}\s*$")
DOC_N_RE = re.compile(r"^\s*Document\s+(\d+)\s+of\s+(\d+)\s*$")
ANCHOR_RE = re.compile(r"<a\s+name=[\"']?DocID_MSTAR_(\d+)[\"']?\s*>", re.IGNORECASE)
HEAD_LABELS = (
    "Author",
    "Publication info",
    "Abstract",
    "Links",
    "Full text",
    "Full Text",
    "Information",
    "Author(s)",
)
#: labels of the trailing index block; the first of them after "Full text:" ends the body
TRAILING_LABELS = (
    "Subject",
    "Title",
    "Publication title",
    "Location",
    "People",
    "Company / organization",
    "Business indexing term",
    "Identifier / keyword",
    "Keyword",
    "Classification",
    "Pages",
    "First page",
    "Publication year",
    "Publication date",
    "Year",
    "Dateline",
    "Section",
    "Publisher",
    "Place of publication",
    "Country of publication",
    "Publication subject",
    "ISSN",
    "Source type",
    "Language of publication",
    "Document type",
    "Document feature",
    "ProQuest document ID",
    "Document URL",
    "DocumentURL",
    "Copyright",
    "Last updated",
    "Database",
    "Accession number",
    "Column",
    "Edition",
    "Number of pages",
    "Volume",
    "Issue",
    "Personal name",
    "Product name",
    "Named person",
    "Organization",
    "Search terms",
)
_TRAIL_RE = re.compile(
    r"^("
    + "|".join(re.escape(x) for x in sorted(TRAILING_LABELS, key=len, reverse=True))
    + r"):\s*(.*)$"
)
_HEAD_RE = re.compile(r"^(" + "|".join(re.escape(x) for x in HEAD_LABELS) + r"):\s*(.*)$")
CAPTION_RE = re.compile(r"^(?:(CAPTION|CREDIT|Caption|Credit):\s*(.*)|Illustration\s*)$")
TRAILER_RE = re.compile(
    r"^(Contact us at:|Database copyright|Terms and Conditions:|"
    r"Contact ProQuest)"
)
COLUMNS = {
    "Author": "byline",
    "Author(s)": "byline",
    "Publication info": "publication_info",
    "Abstract": "abstract",
    "Links": "links",
    "Subject": "subject",
    "Title": "title_indexed",
    "Publication title": "outlet_raw",
    "Location": "location",
    "People": "people",
    "Company / organization": "companies",
    "Pages": "page",
    "First page": "page",
    "Publication year": "year",
    "Publication date": "date_raw",
    "Section": "section",
    "Publisher": "publisher",
    "Country of publication": "country",
    "Source type": "source_type",
    "Language of publication": "language",
    "Document type": "document_type",
    "ProQuest document ID": "doc_id",
    "Document URL": "url",
    "DocumentURL": "url",
    "Copyright": "copyright",
    "Last updated": "last_updated",
    "Database": "database",
}


def _col(label: str) -> str:
    return COLUMNS.get(label, re.sub(r"\W+", "_", label.lower()).strip("_"))


def parse_record(lines: list[str]) -> tuple[dict, str | None]:
    """Fields of one record from its text lines: ``(record, problem or None)``."""
    lines = [ln.rstrip() for ln in lines]
    k = 0
    rec: dict[str, str] = {}
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k < len(lines) and DOC_N_RE.match(lines[k]):
        rec["document_n"] = lines[k].strip()
        k += 1
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k < len(lines) and not _HEAD_RE.match(lines[k]) and not _TRAIL_RE.match(lines[k]):
        rec["title"] = lines[k].strip()
        k += 1
    body: list[str] = []
    captions: list[str] = []
    in_body = False
    last: str | None = None
    has_full_text = False
    for ln in lines[k:]:
        s = ln.strip()
        if not s:
            if in_body:
                body.append("")
            continue
        head = _HEAD_RE.match(s)
        trail = _TRAIL_RE.match(s)
        if head and head.group(1).lower() == "full text":
            in_body, has_full_text = True, True
            if head.group(2).strip():
                body.append(head.group(2).strip())
            continue
        if in_body and not trail:
            cap = CAPTION_RE.match(s)
            if cap:
                captions.append(s)
            else:
                body.append(s)
            continue
        if trail or head:
            in_body = False
            m = trail or head
            last = _col(m.group(1))
            val = m.group(2).strip()
            if last in rec and last != "title":
                rec[last] += "; " + val
            else:
                rec[last] = val
            continue
        if TRAILER_RE.match(s):
            break
        if re.fullmatch(r"https?://\S+", s) and "link" not in rec:
            rec["link"] = s  # the unlabelled document link under the headline
            continue
        if s in ("ProQuest document link",):
            continue
        if last is not None:
            rec[last] = (rec[last] + "\n" + s).strip()
    text = "\n\n".join(b for b in body if b)
    rec["text"] = text
    if "doc_id" in rec:
        m = re.match(r"\s*(\d+)", rec["doc_id"])
        rec["doc_id"] = m.group(1) if m else rec["doc_id"].split()[0] if rec["doc_id"] else ""
    if captions:
        rec["caption"] = "\n".join(captions)
    if not rec.get("url") and rec.get("link"):
        rec["url"] = rec["link"]
    if rec.get("abstract") in ("None available.",):
        rec["abstract"] = ""
    if not rec.get("title") and rec.get("title_indexed"):
        rec["title"] = rec["title_indexed"]
    for key in ("links",):
        if key in rec:
            rec[key] = html_lib.unescape(rec[key])
    if not has_full_text:
        return rec, "no_full_text: the record has no 'Full text:' field (abstract-only record?)"
    if not text:
        return rec, "no_body: the 'Full text:' field is empty"
    return rec, None


def _rows(records: list[tuple[str, list[str]]], path: Path) -> tuple[list[dict], list[Rejection]]:
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for n, (pos, lines) in enumerate(records, start=1):
        rec, problem = parse_record(lines)
        doc_id = rec.pop("doc_id", "") or f"{path.stem}-{n}"
        if problem:
            reason, _, detail = problem.partition(": ")
            if rec.get("title"):
                detail += f" (headline {rec['title'][:60]!r})"
            rejections.append(Rejection(pos, reason, detail, doc_id=doc_id, source=str(path)))
            continue
        rows.append({"doc_id": doc_id, **rec, "_pos": pos, "_source": str(path)})
    return rows, rejections


def read_txt(path: Path, text: str) -> tuple[list[dict], list[Rejection], int, list[str]]:
    """Rows, rejections, expected count and notes of a "Save as text" file."""
    lines = text.splitlines()
    seps = [i for i, ln in enumerate(lines) if SEP_RE.match(ln)]
    if not seps:
        raise CorpusError(
            path, "no separator line of 60 underscores found: not a ProQuest 'Save as text' file"
        )
    notes: list[str] = []
    records: list[tuple[str, list[str]]] = []
    bounds = [*seps, len(lines)]
    if any(ln.strip() for ln in lines[: seps[0]]) and any(
        _TRAIL_RE.match(ln) or _HEAD_RE.match(ln) for ln in lines[: seps[0]]
    ):
        records.append(("document 0 (line 1)", lines[: seps[0]]))
        notes.append(f"{path.name}: text with ProQuest fields before the first separator")
    trailer = 0
    for a, b in itertools.pairwise(bounds):
        chunk = lines[a + 1 : b]
        content = [ln for ln in chunk if ln.strip()]
        if not content:
            continue
        if TRAILER_RE.match(content[0].strip()):
            trailer += 1
            continue
        records.append((f"document {len(records) + 1} (line {a + 2})", chunk))
    doc_n = [m for ln in lines if (m := DOC_N_RE.match(ln))]
    expected = len(doc_n) if doc_n else len(records)
    rows, rejections = _rows(records, path)
    if doc_n:
        notes.append(f"{path.name}: {len(doc_n)} 'Document n of N' lines (N = {doc_n[0].group(2)})")
    notes.append(
        f"{path.name}: {len(seps)} separator lines, {len(records)} records"
        + (", closing trailer skipped" if trailer else "")
    )
    if records and not trailer and not any(_TRAIL_RE.match(ln) for ln in records[-1][1]):
        pos = records[-1][0]
        kept = [r for r in rows if r["_pos"] != pos]
        if len(kept) < len(rows):
            doc_id = next(r["doc_id"] for r in rows if r["_pos"] == pos)
            rows = kept
            rejections.append(
                Rejection(
                    pos,
                    "truncated",
                    "the file ends inside this record (no index fields and no closing trailer)",
                    doc_id=doc_id,
                    source=str(path),
                )
            )
    return rows, rejections, expected, notes


def html_from_message(data: bytes) -> list[str]:
    """The text/html parts of an e-mail (forwarded e-mails included), decoded."""
    msg = email.message_from_bytes(data, policy=policy.default)
    out = []
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            try:
                out.append(part.get_content())
            except (LookupError, UnicodeDecodeError):
                payload = part.get_payload(decode=True) or b""
                out.append(decode_bytes(payload)[0])
    return out


def read_html(path: Path, markup: str) -> tuple[list[dict], list[Rejection], int, list[str]]:
    """Rows, rejections, expected count and notes of ProQuest export HTML."""
    anchors = list(ANCHOR_RE.finditer(markup))
    ids = re.findall(r"DocID_MSTAR_(\d+)", markup)
    if not anchors:
        raise CorpusError(
            path, 'no <a name="DocID_MSTAR_..."> anchors: not a ProQuest e-mail/HTML export'
        )
    records: list[tuple[str, list[str]]] = []
    for k, m in enumerate(anchors):
        end = anchors[k + 1].start() if k + 1 < len(anchors) else len(markup)
        chunk = markup[m.end() : end]
        # an escaped or broken <html> inside the article must not start a new document
        chunk = re.sub(r"(?i)</?(html|head|body)\b[^>]*>|\bhtml&gt;", " ", chunk)
        lines = html_to_text(chunk).split("\n")
        link = re.search(r"href=[\"']([^\"']*docview[^\"']*)[\"']", chunk)
        if link and not any(ln.startswith("Document URL:") for ln in lines):
            lines.append(f"Document URL: {html_lib.unescape(link.group(1))}")
        line_no = markup.count("\n", 0, m.start()) + 1
        records.append((f"document {k + 1} (DocID_MSTAR_{m.group(1)}, line {line_no})", lines))
    rows, rejections = _rows(records, path)
    notes = [f"{path.name}: {len(anchors)} DocID_MSTAR_ anchors"]
    if len(set(ids)) != len(anchors):
        notes.append(
            f"{path.name}: {len(set(ids))} distinct DocID_MSTAR_ ids but {len(anchors)} anchors"
        )
    m = re.search(r"Email\s+(\d+)\s+of\s+(\d+)", markup)
    if m:
        notes.append(
            f"{path.name}: this is e-mail {m.group(1)} of {m.group(2)} of one export; "
            "load all of them"
        )
    return rows, rejections, len(anchors), notes


def _is_email(head: bytes) -> bool:
    return bool(
        re.match(
            rb"(?is)^(Received|Return-Path|From|To|Subject|Date|MIME-Version|"
            rb"Message-ID|Delivered-To|X-[\w-]+):",
            head.lstrip()[:200],
        )
    )


def sniff(path: Path, head: bytes) -> str | None:
    """ProQuest TXT (60-underscore separators + ProQuest labels) or e-mail/HTML (DocID_MSTAR_)."""
    text = head_text(head)
    unfolded = re.sub(r"=\r?\n", "", text)  # quoted-printable soft line breaks
    if "DocID_MSTAR_" in unfolded:
        return (
            "ProQuest e-mail export (DocID_MSTAR_ anchors)"
            if _is_email(head)
            else "ProQuest export HTML (DocID_MSTAR_ anchors)"
        )
    if re.search(r"(?m)^_{60}\s*$", text) and re.search(
        r"(?m)^(ProQuest document ID|Full text|Publication info|Document URL|Publication title):",
        text,
    ):
        return "ProQuest 'Save as text' (60-underscore separators and ProQuest field labels)"
    return None


def read(path: Path, **options: object) -> RawRead:
    """Read a ProQuest TXT, .eml or HTML export (recognised from the content)."""
    path = Path(path)
    data = path.read_bytes()
    notes: list[str] = []
    if _is_email(data[:4096]):
        parts = html_from_message(data)
        if not parts:
            raise CorpusError(path, "e-mail has no text/html part: not a ProQuest e-mail export")
        markup = "\n".join(parts)
        rows, rejections, expected, more = read_html(path, markup)
        notes.append(f"{path.name}: e-mail decoded by its MIME headers")
        layout = "e-mail"
    else:
        text, note = decode_bytes(data, declared_charset(data[:65536]))
        notes.append(f"{path.name}: {note}")
        if ANCHOR_RE.search(text):
            rows, rejections, expected, more = read_html(path, text)
            layout = "HTML"
        else:
            rows, rejections, expected, more = read_txt(path, text)
            layout = "TXT"
    notes.extend(more)
    df = pd.DataFrame(rows)
    for col in ("title", "outlet_raw", "date_raw", "url"):
        if col in df.columns:
            df[col] = df[col].fillna("")
    return RawRead(
        df, "proquest", f"ProQuest {layout} export", rejections, expected=expected, notes=notes
    )
