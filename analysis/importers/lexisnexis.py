"""Old LexisNexis (nexis.com, LexisNexis Academic, Nexis UK) downloads: ``.TXT`` and ``.HTML``.

Structure (see the reference notes in the issue "Extending the study with a new corpus"): an
optional cover block, then documents each opened by a centred ``n of N DOCUMENTS`` line
(localised ``Dokument n von N``, ``Document n de N``). A document has centred header lines
(source, date line, edition, sometimes the copyright), a left-aligned headline, ``LABEL: value``
fields (English, German, French, Dutch labels), the body, trailing fields (``LOAD-DATE:``,
``LANGUAGE:`` ...) and a centred copyright. The HTML download wraps every document in
``<DOC NUMBER=n><DOCFULL>`` tags *inside HTML comments*; each is turned into the same text layout
(centred ``<div>`` classes, found from the page's own CSS, become indented lines) and parsed by
the same code.

Hard-wrapped body lines (~80 columns) are joined within each paragraph, so a quotation that
spans a wrap stays on one line for the quote detector; paragraphs are separated by a blank line.
Only labels from a known list count as fields, so body lines such as ``MID: Calm reigns ...`` or
``FLASH: UN GENERAL ASSEMBLY ...`` stay text. Every separator is a document: one that yields no
body is rejected (``no_body``), never dropped; a cover block that holds article fields, or a
document holding two articles' closing fields, is reported as a probably missing separator.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..schema import CorpusError, LoadWarning, RawRead, Rejection
from .detect import declared_charset, decode_bytes, head_text
from .html_page import html_to_text

SEP_RE = re.compile(
    r"^\s*(?:(\d+)\s+(?:of|von|de|sur|van|di|af|av|z)\s+(\d+)\s+"
    r"(?:DOCUMENTS?|DOKUMENTE?|DOCUMENTEN|DOCUMENTI|DOKUMENTER)"
    r"|(?:Dokument|Document|Documento)\s+(\d+)\s+(?:von|de|of|di|van)\s+(\d+))\s*$"
)
HTML_DOC_RE = re.compile(
    r"<DOC\s+NUMBER\s*=\s*\"?(\d+)\"?\s*>\s*<DOCFULL>\s*(?:-->)?", re.IGNORECASE
)
HTML_DOC_END_RE = re.compile(r"</DOCFULL>", re.IGNORECASE)
LABEL_RE = re.compile(r"^([A-ZÄÖÜÉÈÀÂÊÎÔÛÇÅØÆ][A-ZÄÖÜÉÈÀÂÊÎÔÛÇÅØÆ0-9\-/ ]{0,38}):(?:[ \t]+|$)(.*)$")
CENTRED_INDENT = 8

#: label (upper case) -> column name; labels not listed here are body text
LABELS: dict[str, str] = {
    # English
    "BYLINE": "byline",
    "SECTION": "section",
    "LENGTH": "length",
    "DATELINE": "dateline",
    "LOAD-DATE": "load_date",
    "LANGUAGE": "language",
    "GRAPHIC": "graphic",
    "PUBLICATION-TYPE": "publication_type",
    "PUB-TYPE": "publication_type",
    "JOURNAL-CODE": "journal_code",
    "UPDATE": "update",
    "HIGHLIGHT": "highlight",
    "CORRECTION-DATE": "correction_date",
    "CORRECTION": "correction",
    "DISTRIBUTION": "distribution",
    "DOCUMENT-TYPE": "document_type",
    "TRANSCRIPT": "transcript",
    "SERIES": "series",
    "SUBJECT": "subject",
    "COMPANY": "company",
    "ORGANIZATION": "organization",
    "PERSON": "person",
    "GEOGRAPHIC": "geographic",
    "INDUSTRY": "industry",
    "TICKER": "ticker",
    "CITY": "city",
    "STATE": "state",
    "COUNTRY": "country",
    "NOTES": "notes",
    "VIEW ORIGINAL PAGE": "original_page",
    "URL": "url",
    "HEADLINE": "title",
    "TITLE": "title",
    "TITRE": "title",
    "TITEL": "title",
    "BODY": "_body",
    "TYPE": "type",
    "ACC-NO": "acc_no",
    "SOURCE": "source_label",
    "AUTHOR": "byline",
    "EDITION": "edition",
    # German
    "AUTOR": "byline",
    "RUBRIK": "section",
    "LÄNGE": "length",
    "SPRACHE": "language",
    "GRAFIK": "graphic",
    "ZEITUNGS-CODE": "journal_code",
    "DOKUMENTTYP": "document_type",
    # French
    "AUTEUR": "byline",
    "RUBRIQUE": "section",
    "LONGUEUR": "length",
    "DATE-CHARGEMENT": "load_date",
    "LANGUE": "language",
    "TYPE-PUBLICATION": "publication_type",
    "CODE-REVUE": "journal_code",
    "SUJET": "subject",
    "LOCALISATION-GEO": "geographic",
    "ENCART": "highlight",
    "SIGNATURE": "byline",
    "ORGANISATION": "organization",
    "PERSONNE": "person",
    "SECTEUR": "industry",
    "SOCIETE": "company",
    "SOCIÉTÉ": "company",
    "ORTSZEILE": "dateline",
    "PUB-SUBJECT": "subject",
    "FIRMA": "company",
    "PERSON/PERSONEN": "person",
    # Dutch
    "LENGTE": "length",
    "KOP": "title",
    "TEKST": "_body",
    "RUBRIEK": "section",
    "SECTIE": "section",
    "TAAL": "language",
}
#: fields that occur once per article; seeing one twice means a separator is missing
ONCE_PER_ARTICLE = {"length", "load_date"}
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|février|fevrier|mars|avril|"
    "juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|januari|februari|"
    "maart|mei|augustus|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|okt|nov|dec|dez"
)
DATE_LINE_RE = re.compile(
    rf"(?i)^\W*(?:\w+,?\s+)?(?:\d{{1,2}}\.?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}|(?:{_MONTHS})\.?\s+"
    rf"\d{{1,2}},?\s+\d{{4}}|(?:{_MONTHS})\s+\d{{4}}\s*$|\d{{4}}-\d\d-\d\d|"
    rf"\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}})"
)
TIME_LINE_RE = re.compile(r"^\d{1,2}:\d\d(\s*[AP]M)?(\s+[A-Za-z ]{0,30})?$")
COPYRIGHT_RE = re.compile(
    r"(?i)^\s*(copyright|\(c\)|©|copy\s+\d{4})|all rights reserved|alle rechte|"
    r"tous droits|alle rechten|todos los derechos"
)
ERROR_DOC_RE = re.compile(r"(?i)we are sorry but there is an error in this document")
_BODY_MIN_CHARS = 1


def _is_copyright(para: list[str]) -> bool:
    """A copyright notice: centred and mentioning copyright, or opening with 'Copyright 2011'."""
    if re.match(r"\s*(Copyright|©)\s+\d{4}", para[0]):
        return True
    return all(_is_centred(ln) for ln in para) and any(COPYRIGHT_RE.search(ln) for ln in para)


def _is_centred(line: str) -> bool:
    return len(line) - len(line.lstrip(" ")) >= CENTRED_INDENT


def _label(line: str) -> tuple[str, str] | None:
    m = LABEL_RE.match(line.strip().replace("\u00a0", " "))
    if m and m.group(1).strip() in LABELS:
        return LABELS[m.group(1).strip()], m.group(2).strip()
    return None


def _paragraphs(lines: list[str], first_line: int) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks as ``(line number of first line, lines)``."""
    out: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    start = first_line
    for i, line in enumerate(lines):
        if line.strip():
            if not cur:
                start = first_line + i
            cur.append(line.rstrip())
        elif cur:
            out.append((start, cur))
            cur = []
    if cur:
        out.append((start, cur))
    return out


def parse_document(lines: list[str], first_line: int) -> tuple[dict, list[str]]:
    """Fields of one document from its lines (separator excluded): ``(record, problems)``.

    ``problems`` lists reasons the document cannot be used (``no_body``, ``vendor_error_document``,
    ``missing_separator``) with details; an empty list means the record is good.
    """
    paras = _paragraphs(lines, first_line)
    rec: dict[str, str] = {}
    problems: list[str] = []
    if any(ERROR_DOC_RE.search(" ".join(p)) for _, p in paras):
        return rec, [
            (
                "vendor_error_document: the export holds LexisNexis' 'there is an error in "
                "this document' placeholder instead of the article"
            )
        ]
    i = 0
    header: list[str] = []
    while i < len(paras) and any(_is_centred(ln) for ln in paras[i][1]):
        para = [ln.strip() for ln in paras[i][1]]
        if COPYRIGHT_RE.search(para[0]):
            para = ["\x00" + ln for ln in para]
        header.extend(para)
        i += 1
    copyright_lines: list[str] = []
    edition: list[str] = []
    for ln in header:
        if ln.startswith("\x00"):  # whole paragraph is a copyright notice
            copyright_lines.append(ln[1:])
            continue
        if COPYRIGHT_RE.search(ln):
            copyright_lines.append(ln)
        elif "date_raw" not in rec and DATE_LINE_RE.match(ln) and "outlet_raw" in rec:
            rec["date_raw"] = ln
        elif "outlet_raw" not in rec:
            rec["outlet_raw"] = ln
        elif "date_raw" not in rec and DATE_LINE_RE.match(ln):
            rec["date_raw"] = ln
        else:
            edition.append(ln)
    if "date_raw" not in rec and edition:
        # some exports put the date before the source (or no date at all): look again
        for j, ln in enumerate(edition):
            if DATE_LINE_RE.match(ln):
                rec["date_raw"] = edition.pop(j)
                break
    if edition:
        rec["edition"] = "; ".join(edition)
    if "date_raw" not in rec:
        # wire services put the date line left-aligned after the headline: take it from there
        for k in (i, i + 1):
            if (
                k < len(paras)
                and len(paras[k][1][0].strip()) < 60
                and DATE_LINE_RE.match(paras[k][1][0].strip())
            ):
                start, para = paras[k]
                rec["date_raw"] = para[0].strip()
                if len(para) > 1 and TIME_LINE_RE.match(para[1].strip()):
                    rec["date_raw"] += " " + para[1].strip()
                    para = para[1:]
                paras[k] = (start + 1, para[1:]) if len(para) > 1 else (start, [])
                break
        paras = [p for p in paras if p[1]]
    if i < len(paras) and not _label(paras[i][1][0]) and not _is_centred(paras[i][1][0]):
        rec["title"] = " ".join(ln.strip() for ln in paras[i][1])
        i += 1
    body: list[str] = []
    seen: dict[str, int] = {}
    rest_paras = paras[i:]
    k = 0
    while k < len(rest_paras):
        para = rest_paras[k][1]
        k += 1
        lab = _label(para[0])
        if lab:
            col, value = lab
            rest = [ln.strip() for ln in para[1:]]
            if not value and not rest and col != "_body" and k < len(rest_paras):
                nxt = rest_paras[k][1]
                if not _label(nxt[0]) and not _is_copyright(nxt):
                    rest = [ln.strip() for ln in nxt]  # "HIGHLIGHT:" then its text below
                    k += 1
            seen[col] = seen.get(col, 0) + 1
            if col == "_body":
                if value or rest:
                    body.append(" ".join([value, *rest]).strip())
                continue
            if col == "title" and "title" not in rec:
                rec["title"] = " ".join([value, *rest]).strip()
                continue
            full = "\n".join([value, *rest]).strip()
            rec[col] = f"{rec[col]}\n{full}" if col in rec else full
        elif _is_copyright(para):
            copyright_lines.extend(ln.strip() for ln in para)
        else:
            # hard-wrapped lines of one paragraph are joined (quotes span the wraps)
            body.append(" ".join(ln.strip() for ln in para))
    if copyright_lines:
        rec["copyright"] = " ".join(copyright_lines)
    text = "\n\n".join(b for b in body if b)
    rec["text"] = text
    twice = sorted(c for c in ONCE_PER_ARTICLE if seen.get(c, 0) > 1)
    if twice:
        problems.append(
            "missing_separator: the document holds "
            + ", ".join(f"{seen[c]} {c.upper().replace('_', '-')} fields" for c in twice)
            + "; an 'n of N DOCUMENTS' line between two articles is probably missing"
        )
    if len(text.strip()) < _BODY_MIN_CHARS:
        found = ", ".join(k for k in ("outlet_raw", "date_raw", "title", "graphic") if rec.get(k))
        problems.append(f"no_body: the document has no body text (found: {found or 'nothing'})")
    return rec, problems


def _split_problem(problem: str) -> tuple[str, str]:
    reason, _, detail = problem.partition(": ")
    return reason, detail


def _records(
    docs: list[tuple[int, str, list[str]]], path: Path, fmt: str
) -> tuple[list[dict], list[Rejection], list[LoadWarning]]:
    """Parse ``(first line, separator text, lines)`` documents into rows and rejections."""
    rows: list[dict] = []
    rejections: list[Rejection] = []
    warnings: list[LoadWarning] = []
    for n, (line_no, sep, lines) in enumerate(docs, start=1):
        pos = f"document {n} (line {line_no})"
        doc_id = f"{path.stem}-{n}"
        rec, problems = parse_document(lines, line_no + 1)
        if problems:
            reason, detail = _split_problem(problems[0])
            rejections.append(
                Rejection(
                    pos, reason, f"{sep!r}: {detail}".strip(), doc_id=doc_id, source=str(path)
                )
            )
            continue
        rec = {"doc_id": doc_id, **rec, "separator": sep, "_pos": pos, "_source": str(path)}
        rows.append(rec)
    if docs and rows and fmt == "txt":
        last = rows[-1]
        if last["_pos"].startswith(f"document {len(docs)} ") and not (
            last.get("load_date") or last.get("language") or last.get("copyright")
        ):
            warnings.append(
                LoadWarning(
                    last["_pos"],
                    "text",
                    "last document has no closing fields (LOAD-DATE, "
                    "LANGUAGE, copyright): the file may be truncated",
                    doc_id=last["doc_id"],
                )
            )
    return rows, rejections, warnings


def _cover_rejection(cover: list[str], path: Path) -> list[Rejection]:
    """A cover block that holds article fields means the first separator is missing."""
    fields = [lab[0] for ln in cover if (lab := _label(ln)) and lab[0] in ONCE_PER_ARTICLE]
    if not fields:
        return []
    return [
        Rejection(
            f"before the first separator (lines 1-{len(cover)})",
            "missing_separator",
            "text before the first 'n of N DOCUMENTS' line holds article fields ("
            + ", ".join(sorted(set(fields)))
            + "); that article has no separator",
            source=str(path),
        )
    ]


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for col in ("title", "outlet_raw", "date_raw", "text"):
        if col in df.columns:
            df[col] = df[col].fillna("")
    return df


def read_txt(path: Path, text: str) -> tuple[list[dict], list[Rejection], list[LoadWarning], int]:
    """Rows, rejections, warnings and the number of separators of a TXT download."""
    lines = text.splitlines()
    seps = [i for i, ln in enumerate(lines) if SEP_RE.match(ln)]
    if not seps:
        raise CorpusError(
            path,
            "no 'n of N DOCUMENTS' separator line found: not a LexisNexis "
            "TXT download, or its separators were removed",
        )
    docs = []
    for k, i in enumerate(seps):
        end = seps[k + 1] if k + 1 < len(seps) else len(lines)
        docs.append((i + 1, lines[i].strip(), lines[i + 1 : end]))
    rows, rejections, warnings = _records(docs, path, "txt")
    rejections = _cover_rejection(lines[: seps[0]], path) + rejections
    return rows, rejections, warnings, len(seps)


def _centred_classes(markup: str) -> set[str]:
    classes = set()
    for m in re.finditer(r"\.([\w-]+)\s*\{([^}]*)\}", markup[:200_000]):
        if re.search(r"text-align\s*:\s*center", m.group(2), re.IGNORECASE):
            classes.add(m.group(1).lower())
    return classes


def html_document_lines(chunk: str, centred: set[str]) -> list[str]:
    """Text lines of one HTML document, centred ``<div>`` blocks indented like the TXT layout.

    Table rows become one line each with tab-separated cells (the ``<P>`` inside cells dropped).
    """
    chunk = re.sub(
        r"(?is)<table\b.*?</table>",
        lambda m: re.sub(r"(?i)</?p\b[^>]*>", "", m.group(0)),
        chunk,
    )
    parts = re.split(r"(?i)(<div\b[^>]*>)", chunk)
    out: list[str] = []
    cls = ""
    for part in parts:
        m = re.match(r"(?i)<div\b[^>]*class\s*=\s*\"?([\w-]+)", part)
        if m or re.match(r"(?i)<div\b", part):
            cls = m.group(1).lower() if m else ""
            continue
        text = html_to_text(part, paragraph_break="\n\n")
        if not text:
            continue
        pad = " " * (CENTRED_INDENT + 12) if cls in centred else ""
        out.extend(pad + ln if ln.strip() else "" for ln in text.split("\n"))
        out.append("")
    return out


def read_html(
    path: Path, markup: str
) -> tuple[list[dict], list[Rejection], list[LoadWarning], int]:
    """Rows, rejections, warnings and the number of ``<DOC>`` markers of an HTML download."""
    starts = list(HTML_DOC_RE.finditer(markup))
    if not starts:
        raise CorpusError(
            path, "no <DOC NUMBER=n><DOCFULL> markers found: not a LexisNexis HTML download"
        )
    centred = _centred_classes(markup)
    docs = []
    for k, m in enumerate(starts):
        end_limit = starts[k + 1].start() if k + 1 < len(starts) else len(markup)
        end_m = HTML_DOC_END_RE.search(markup, m.end(), end_limit)
        chunk = markup[m.end() : end_m.start() if end_m else end_limit]
        chunk = re.sub(r"<!--[^>]*$", "", chunk)
        line_no = markup.count("\n", 0, m.start()) + 1
        lines = html_document_lines(chunk, centred)
        sep = f"<DOC NUMBER={m.group(1)}>"
        for j, ln in enumerate(lines):
            if SEP_RE.match(ln):
                sep = ln.strip()
                lines = lines[j + 1 :]
                break
            if ln.strip():
                break
        docs.append((line_no, sep, lines))
    rows, rejections, warnings = _records(docs, path, "html")
    if not HTML_DOC_END_RE.search(markup, starts[-1].end()):
        pos = f"document {len(starts)} (line {docs[-1][0]})"
        cut = [r for r in rows if r["_pos"] == pos]
        rows = [r for r in rows if r["_pos"] != pos]
        rejections = [r for r in rejections if r.position != pos]
        rejections.append(
            Rejection(
                pos,
                "truncated",
                "the last document has no closing </DOCFULL> marker: the file is cut short",
                doc_id=cut[0]["doc_id"] if cut else None,
                source=str(path),
            )
        )
    return rows, rejections, warnings, len(starts)


def sniff(path: Path, head: bytes) -> str | None:
    """LexisNexis TXT (``n of N DOCUMENTS`` line) or HTML (``<DOC NUMBER=n>`` in comments)."""
    text = head_text(head)
    if re.search(r"(?i)<DOC\s+NUMBER\s*=\s*\"?\d+\"?\s*>\s*<DOCFULL>", text):
        return "found LexisNexis <DOC NUMBER=n><DOCFULL> markers"
    if re.search(r"(?i)<html|<!doctype", text[:2000]):
        return None
    for ln in text.splitlines():
        if SEP_RE.match(ln):
            return f"found {ln.strip()!r} separator"
    return None


def read(path: Path, **options: object) -> RawRead:
    """Read a LexisNexis TXT or HTML download (the layout is recognised from the content)."""
    path = Path(path)
    data = path.read_bytes()
    text, note = decode_bytes(data, declared_charset(data[:65536]))
    is_html = bool(HTML_DOC_RE.search(text))
    if is_html:
        rows, rejections, warnings, n_markers = read_html(path, text)
        layout, marker = "HTML", "<DOC NUMBER=n> markers"
        m = re.search(r"(?i)<meta[^>]*documents=\"(\d+)\"", text)
        extra = (
            [
                (
                    f"{path.name}: the page's META DOCUMENTS={m.group(1)} is the size of the "
                    "whole result set"
                )
            ]
            if m
            else []
        )
    else:
        rows, rejections, warnings, n_markers = read_txt(path, text)
        layout, marker = "TXT", "'n of N DOCUMENTS' lines"
        extra = []
    notes = [f"{path.name}: {note}", f"{path.name}: {n_markers} {marker}", *extra]
    return RawRead(
        _frame(rows),
        "lexisnexis",
        f"LexisNexis {layout} download",
        rejections,
        expected=n_markers,
        notes=notes,
        warnings=warnings,
    )
