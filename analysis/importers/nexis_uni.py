"""Nexis Uni / Lexis Advance Word downloads (``.DOCX``).

Layout: an optional cover page (``Documents (n)``, numbered headlines, search terms), then for
every article: headline, source, date line, a copyright paragraph, metadata paragraphs whose label
is followed by a *no-break space* (``Length:\\u00a0355 words``), ``Body``, the body paragraphs,
optional ``Graphic`` / ``Classification`` blocks and trailing fields, and an ``End of Document``
paragraph. Articles are cut at ``End of Document``; the expected count is the cover page's
``Documents (n)`` (else the number of ``End of Document`` markers). A chunk without ``Body`` or
without body text is rejected with its position, never dropped; a final chunk without its ``End of
Document`` marker (truncated download) is rejected as ``truncated``. Page headers and footers
(running headlines of *other* articles) are not read.

python-docx reads the paragraphs in document order (tables are read row by row, cells joined by
tabs, so tables inside an article stay in its text).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd

from ..schema import CorpusError, RawRead, Rejection

END_RE = re.compile(r"^\s*End of Document\s*$")
DOCS_RE = re.compile(r"^\s*(?:Documents|Dokumente|Documenten)\s*\((\d+)\)\s*$")
#: "Label:<NBSP>value" metadata paragraphs (normal space also accepted after known labels)
NBSP_LABEL_RE = re.compile(r"^([A-Z][\w\- /]{0,40}?):\u00a0\s*(.*)$", re.DOTALL)
KNOWN_LABELS = {
    "Section",
    "Length",
    "Byline",
    "Author",
    "Dateline",
    "Highlight",
    "Series",
    "Language",
    "Publication-Type",
    "Journal Code",
    "Subject",
    "Organization",
    "Person",
    "Geographic",
    "Industry",
    "Company",
    "Ticker",
    "Load-Date",
    "Correction",
    "Correction-Date",
    "Notes",
    "Edition",
    "Rubrik",
    "Länge",
    "Autor",
    "Sprache",
}
SPACE_LABEL_RE = re.compile(
    r"^("
    + "|".join(re.escape(k) for k in sorted(KNOWN_LABELS, key=len, reverse=True))
    + r"):\s+(.*)$",
    re.DOTALL,
)
BODY_MARKERS = {"Body", "Text", "Texte", "Tekst"}
STOP_MARKERS = {"Classification", "Graphic", "Klassifikation", "Grafik", "Load-Date"}
COPYRIGHT_RE = re.compile(r"(?i)^\s*(copyright|©|\(c\))")
COLUMNS = {
    "Section": "section",
    "Length": "length",
    "Byline": "byline",
    "Author": "byline",
    "Dateline": "dateline",
    "Highlight": "highlight",
    "Language": "language",
    "Publication-Type": "publication_type",
    "Journal Code": "journal_code",
    "Load-Date": "load_date",
    "Subject": "subject",
    "Geographic": "geographic",
    "Organization": "organization",
    "Person": "person",
    "Industry": "industry",
    "Company": "company",
    "Series": "series",
    "Ticker": "ticker",
}


def _label(text: str) -> tuple[str, str] | None:
    s = text.strip()
    m = NBSP_LABEL_RE.match(s) or SPACE_LABEL_RE.match(s)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return None


def docx_paragraphs(path: Path) -> list[str]:
    """Paragraph texts of the main document in order (a table row is one tab-joined paragraph)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise CorpusError(
            path,
            f"cannot open as a Word .docx file ({type(exc).__name__}: "
            f"{exc}); the download may be truncated or not a DOCX",
        ) from exc
    out: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    t = cell.text.strip()
                    if t and (not cells or cells[-1] != t):  # merged cells repeat their text
                        cells.append(t)
                out.append("\t".join(cells))
    return out


def _header(paras: list[str], first_meta: int) -> tuple[list[str], int]:
    """The run of non-empty paragraphs just above the metadata (headline, source, date)."""
    j = first_meta - 1
    while j >= 0 and (not paras[j].strip() or COPYRIGHT_RE.match(paras[j])):
        j -= 1
    block: list[str] = []
    while j >= 0 and paras[j].strip() and not COPYRIGHT_RE.match(paras[j]):
        block.insert(0, paras[j].strip())
        j -= 1
    return block, j + 1


DATE_HINT_RE = re.compile(r"\b\d{4}\b")


def parse_article(paras: list[str]) -> tuple[dict, str | None]:
    """One article's fields from its paragraphs: ``(record, problem or None)``."""
    body_at = next((k for k, p in enumerate(paras) if p.strip() in BODY_MARKERS), None)
    meta_at = next((k for k, p in enumerate(paras) if _label(p)), None)
    if body_at is None:
        return {}, "no_body_marker: no 'Body' paragraph in the article"
    first_meta = min(k for k in (meta_at, body_at) if k is not None)
    block, _ = _header(paras, first_meta)
    rec: dict[str, str] = {}
    if len(block) >= 3:
        rec["title"] = " ".join(block[:-2])
        rec["outlet_raw"], rec["date_raw"] = block[-2], block[-1]
    elif len(block) == 2:
        title_or_source, second = block
        if DATE_HINT_RE.search(second):
            rec["outlet_raw"], rec["date_raw"] = title_or_source, second
        else:
            rec["title"], rec["outlet_raw"] = title_or_source, second
    elif block:
        rec["title"] = block[0]
    copyright_lines = [p.strip() for p in paras[:body_at] if COPYRIGHT_RE.match(p)]
    if copyright_lines:
        rec["copyright"] = " ".join(copyright_lines)
    for p in paras[first_meta:body_at]:
        lab = _label(p)
        if lab:
            rec[COLUMNS.get(lab[0], lab[0].lower().replace(" ", "_").replace("-", "_"))] = lab[1]
    body: list[str] = []
    k = body_at + 1
    while k < len(paras):
        p = paras[k].strip()
        if p in STOP_MARKERS or (_label(p) and "\u00a0" in paras[k][:45]):
            break
        if p:
            body.append(p)
        k += 1
    for p in paras[k:]:
        lab = _label(p)
        if lab:
            rec[COLUMNS.get(lab[0], lab[0].lower().replace(" ", "_").replace("-", "_"))] = lab[1]
    rec["text"] = "\n\n".join(body)
    if not rec["text"]:
        return rec, "no_body: the 'Body' section is empty"
    return rec, None


def read(path: Path, **options: object) -> RawRead:
    """Read a Nexis Uni DOCX download: one row per article between ``End of Document`` markers."""
    path = Path(path)
    paras = docx_paragraphs(path)
    announced = next((int(m.group(1)) for p in paras if (m := DOCS_RE.match(p))), None)
    ends = [k for k, p in enumerate(paras) if END_RE.match(p)]
    if not ends and not any(p.strip() in BODY_MARKERS for p in paras):
        raise CorpusError(
            path,
            "no articles found: no 'End of Document' or 'Body' paragraph "
            "(not a Nexis Uni download, or an empty one)",
        )
    chunks: list[tuple[int, int, bool]] = []
    start = 0
    for e in ends:
        chunks.append((start, e, True))
        start = e + 1
    if any(p.strip() for p in paras[start:]):
        chunks.append((start, len(paras), False))
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for n, (a, b, closed) in enumerate(chunks, start=1):
        pos = f"document {n} (paragraph {a + 1})"
        doc_id = f"{path.stem}-{n}"
        rec, problem = parse_article(paras[a:b])
        if problem is None and not closed:
            problem = (
                "truncated: the last article has no 'End of Document' marker; the "
                "download may be cut short"
            )
        if problem:
            reason, _, detail = problem.partition(": ")
            rejections.append(Rejection(pos, reason, detail, doc_id=doc_id, source=str(path)))
            continue
        rows.append({"doc_id": doc_id, **rec, "_pos": pos, "_source": str(path)})
    df = pd.DataFrame(rows)
    for col in ("title", "outlet_raw", "date_raw"):
        if col in df.columns:
            df[col] = df[col].fillna("")
    expected = announced if announced is not None else len(ends)
    notes = [
        f"{path.name}: {len(ends)} 'End of Document' markers"
        + (f"; the cover page announces Documents ({announced})" if announced else "")
    ]
    return RawRead(
        df, "nexis_uni", "Nexis Uni DOCX download", rejections, expected=expected, notes=notes
    )


def sniff(path: Path, head: bytes) -> str | None:
    """A DOCX (zip) whose document text holds ``End of Document`` or ``Documents (n)``."""
    if head[:2] != b"PK":
        return None
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode("utf-8", errors="replace")
            custom = ""
            if "docProps/custom.xml" in z.namelist():
                custom = z.read("docProps/custom.xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    text = re.sub(r"<[^>]+>", "", xml)
    if "End of Document" in text:
        return "DOCX with Nexis Uni 'End of Document' markers"
    if re.search(r"Documents\s*\(\d+\)", text) or "LADocCount" in custom:
        return "DOCX with a Nexis Uni cover page"
    return None
