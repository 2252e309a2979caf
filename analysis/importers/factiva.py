"""Factiva exports: HTML pages (field-code table and "Article" layouts), RTF, TXT, legacy XML.

Field codes (``HD`` headline, ``BY`` byline, ``WC`` words, ``PD`` date, ``ET`` time, ``SN`` source,
``SC`` source code, ``LA`` language, ``CY`` copyright, ``LP`` lead paragraphs, ``TD`` rest of the
text, ``AN`` accession number ...) are mapped to columns; ``LP`` + ``TD`` is the text. ``doc_id`` is
the accession number (``AN``) when present. Which layout a file has is read from its content:

* HTML, code table: ``<td class="index"><b>HD</b></td><td>value</td>`` rows;
* HTML, Article format: ``<div class="article xxArticle">`` with an ``id="hd"`` headline, an
  ``author`` div and *unlabelled, positional* metadata divs (section, words, date, time, source,
  source code, edition, page, language, copyright; which ones appear varies). They are assigned
  by anchoring on the word-count div (``808 words``, ``1285 Wörter``, ``295 mots``, ``8165 字``);
* RTF (``Factiva RTF Display Format``): two-cell table rows, read with ``striprtf``;
* TXT: each code on its own line, the value on the following lines. A code line is only a code
  when it is a known code *and* no value is pending, so a source-code value such as ``PR`` or
  ``TOI`` alone on its line stays a value;
* legacy XML (``PPSResponse``): element names, namespace-agnostic.

The expected count is the number of ``Document <AN>`` lines (HTML/RTF/TXT) or the result set's
``count`` attribute (XML).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..schema import CorpusError, RawRead, Rejection
from .detect import declared_charset, decode_bytes, head_text
from .html_page import html_to_text

CODES = {
    "HD",
    "BY",
    "CR",
    "WC",
    "PD",
    "ET",
    "SN",
    "SC",
    "ED",
    "PG",
    "SE",
    "LA",
    "CY",
    "LP",
    "TD",
    "CT",
    "RF",
    "ART",
    "CO",
    "IN",
    "NS",
    "RE",
    "IPC",
    "IPD",
    "PUB",
    "VOL",
    "NGC",
    "GC",
    "AN",
    "CX",
    "CLM",
    "RST",
    "SRC",
    "AU",
}
#: codes that are never a field's value, even right after a code (source codes are 2-4 capitals)
NEVER_VALUES = {"AN", "HD", "LP", "TD"}
COLUMNS = {
    "HD": "title",
    "BY": "byline",
    "CR": "credit",
    "WC": "length",
    "PD": "date_raw",
    "ET": "time",
    "SN": "outlet_raw",
    "SC": "source_code",
    "ED": "edition",
    "PG": "page",
    "SE": "section",
    "LA": "language",
    "CY": "copyright",
    "RF": "notes",
    "ART": "art",
    "CO": "companies",
    "IN": "industries",
    "NS": "subjects",
    "RE": "regions",
    "IPC": "ipc",
    "IPD": "ipd",
    "PUB": "publisher",
    "VOL": "volume",
    "NGC": "ngc",
    "GC": "gc",
    "AN": "doc_id",
    "CT": "contact",
    "CX": "correction",
    "CLM": "column",
}
AN_RE = re.compile(
    r"(?:Document|Dokument|Documento|Documenti|Документ|文件|文档|文書)\s+"
    r"([A-Za-z0-9]{16,})\b"
)
WORDS_RE = re.compile(
    r"^\s*[\d.,\s]+\s*(words?|wörter|mots|palabras|parole|woorden|ord|palavras|слов\w*|字|語|単語)"
    r"\s*$",
    re.IGNORECASE,
)
TIME_RE = re.compile(r"^\s*\d{1,2}:\d\d(\s*(GMT|UTC|[AP]M))?\s*$")
COPY_RE = re.compile(r"(?i)^\s*(\(c\)|©|copyright)")


def _fields_to_record(fields: list[tuple[str, str]]) -> dict:
    rec: dict[str, str] = {}
    lp: list[str] = []
    td: list[str] = []
    for code, value in fields:
        value = value.strip()
        if code == "LP":
            lp.append(value)
        elif code == "TD":
            td.append(value)
        elif code == "AN":
            m = AN_RE.search(value)
            rec["doc_id"] = m.group(1) if m else value
        else:
            col = COLUMNS.get(code, code.lower())
            rec[col] = f"{rec[col]}\n{value}" if col in rec else value
    rec["text"] = "\n\n".join(p for p in [*lp, *td] if p)
    return rec


# --------------------------------------------------------------------------- TXT / RTF


def code_fields(chunks: list[tuple[str, int]]) -> list[list[tuple[str, str, int]]]:
    """Group ``(token, line)`` tokens (codes and value pieces) into articles of fields.

    A token is a code when it is a known code and the current field already has a value; an
    article ends after its ``AN`` value, or when a second ``HD`` starts a new one.
    """
    articles: list[list[tuple[str, str, int]]] = []
    cur: list[tuple[str, str, int]] = []
    code: str | None = None
    value: list[str] = []
    code_line = 0

    def close_field() -> None:
        if code is not None:
            cur.append((code, "\n".join(value).strip(), code_line))

    for token, line in chunks:
        t = token.strip()
        bare = t.strip("*") if re.fullmatch(r"\*[A-Z]{2,3}\*", t) else t
        pending = code is not None and not "".join(value).strip()
        if bare in CODES and (not pending or bare in NEVER_VALUES):
            close_field()
            if code == "AN" or (bare == "HD" and any(c == "HD" for c, _, _ in cur)):
                if cur:
                    articles.append(cur)
                cur = []
            code, value, code_line = bare, [], line
            continue
        if code is None:
            continue  # text before the first code (page title, search summary)
        value.append(token)
    close_field()
    if cur:
        articles.append(cur)
    return articles


def _txt_tokens(text: str) -> list[tuple[str, int]]:
    tokens = []
    for i, ln in enumerate(text.replace("\f", "\n").splitlines(), start=1):
        m = re.match(r"^\s*\*([A-Z]{2,3})\*\s*(.*)$", ln)  # browser "Save as Text": *HD* value
        if m and m.group(1) in CODES:
            tokens.append((m.group(1), i))
            if m.group(2).strip():
                tokens.append((m.group(2), i))
            continue
        tokens.append((ln.rstrip(), i))
    return tokens


def _rtf_tokens(text: str) -> list[tuple[str, int]]:
    """striprtf renders each table cell followed by ``|``: split on it, keep the line numbers."""
    tokens = []
    line = 1
    for cell in text.split("|"):
        stripped = cell.strip()
        if stripped in CODES:
            tokens.append((stripped, line))
        else:
            for k, piece in enumerate(cell.split("\n")):
                tokens.append((piece, line + k))
        line += cell.count("\n")
    return tokens


def _records_from_articles(
    articles: list[list[tuple[str, str, int]]], path: Path, unit: str
) -> tuple[list[dict], list[Rejection]]:
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for n, fields in enumerate(articles, start=1):
        line = fields[0][2]
        pos = f"document {n} ({unit} {line})"
        rec = _fields_to_record([(c, v) for c, v, _ in fields])
        doc_id = rec.pop("doc_id", None) or f"{path.stem}-{n}"
        has_an = any(c == "AN" for c, _, _ in fields)
        if not rec["text"]:
            rejections.append(
                Rejection(
                    pos,
                    "no_body",
                    "no LP/TD text in the article"
                    + (f" (headline {rec.get('title', '')[:60]!r})" if rec.get("title") else ""),
                    doc_id=doc_id,
                    source=str(path),
                )
            )
            continue
        if not has_an and n == len(articles):
            rejections.append(
                Rejection(
                    pos,
                    "truncated",
                    "the last article has no AN "
                    "'Document <accession>' line: the file may be cut short",
                    doc_id=doc_id,
                    source=str(path),
                )
            )
            continue
        rows.append({"doc_id": doc_id, **rec, "_pos": pos, "_source": str(path)})
    return rows, rejections


# --------------------------------------------------------------------------- HTML


def _cell_text(el) -> str:
    from lxml import html as lhtml

    return html_to_text(lhtml.tostring(el, encoding="unicode"), paragraph_break="\n\n")


def _article_divs(tree):
    out = []
    for div in tree.iter("div"):
        classes = (div.get("class") or "").split()
        if "article" in classes and any(re.fullmatch(r"[a-z]{2,6}Article", c) for c in classes):
            out.append(div)
    return out


def _table_article(div) -> list[tuple[str, str]]:
    fields = []
    for tr in div.iter("tr"):
        tds = [td for td in tr if td.tag in ("td", "th")]
        if len(tds) < 2 or "index" not in (tds[0].get("class") or ""):
            continue
        code = tds[0].text_content().replace("\u00a0", " ").strip()
        if code:
            fields.append((code, _cell_text(tds[1])))
    return fields


def _positional_article(div) -> dict:
    """Fields of an "Article format" div: headline, author, positional metadata, paragraphs."""
    rec: dict[str, str] = {}
    meta: list[str] = []
    seen_hd = False
    section = ""
    for el in div.iter("div"):
        if el is div:
            continue
        if el.get("id") == "hd":
            rec["title"] = el.text_content().strip()
            seen_hd = True
        elif "author" in (el.get("class") or ""):
            rec["byline"] = el.text_content().strip()
        elif el.get("class") is None and el.get("id") is None and el.find(".//div") is None:
            t = " ".join(el.text_content().split())
            if not t:
                continue
            if seen_hd:
                meta.append(t)
            else:
                section = t
    if section:
        rec["section"] = section
    paras = [
        " ".join(p.text_content().split())
        for p in div.iter("p")
        if "articleParagraph" in (p.get("class") or "")
    ]
    rec["text"] = "\n\n".join(p for p in paras if p)
    for p in div.iter("p"):
        m = AN_RE.fullmatch(" ".join(p.text_content().split()))
        if m:
            rec["doc_id"] = m.group(1)
    if not rec.get("doc_id"):
        m = re.match(r"article-([A-Za-z0-9]{16,})$", div.getparent().get("id") or "")
        if m:
            rec["doc_id"] = m.group(1)
    w = next((k for k, t in enumerate(meta) if WORDS_RE.match(t)), None)
    if w is not None:
        rec["length"] = meta[w]
        rest = meta[w + 1 :]
        if rest:
            rec["date_raw"] = rest.pop(0)
        if rest and TIME_RE.match(rest[0]):
            rec["time"] = rest.pop(0)
        if rest:
            rec["outlet_raw"] = rest.pop(0)
        if rest and re.fullmatch(r"[A-Z0-9]{2,12}", rest[0]):
            rec["source_code"] = rest.pop(0)
        if rest and COPY_RE.match(rest[-1]):
            rec["copyright"] = rest.pop()
        if rest:
            rec["language"] = rest.pop()
        if rest:
            rec["edition_page"] = " | ".join(rest)
    elif meta:
        rec["metadata_unlabelled"] = " | ".join(meta)
    return rec


def read_html(path: Path, markup: str) -> tuple[list[dict], list[Rejection], int]:
    """Rows, rejections and the number of ``Document <AN>`` lines of a Factiva HTML page."""
    from lxml import html as lhtml

    tree = lhtml.document_fromstring(markup)
    divs = _article_divs(tree)
    expected = len(AN_RE.findall(html_to_text(markup)))
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for n, div in enumerate(divs, start=1):
        pos = f"document {n} (line {div.sourceline})"
        if div.find(".//td[@class='index']") is not None:
            rec = _fields_to_record(_table_article(div))
        else:
            rec = _positional_article(div)
        doc_id = rec.pop("doc_id", None) or f"{path.stem}-{n}"
        if not rec.get("text"):
            rejections.append(
                Rejection(
                    pos,
                    "no_body",
                    "no article paragraphs (LP/TD) found"
                    + (f"; headline {rec.get('title', '')[:60]!r}" if rec.get("title") else ""),
                    doc_id=doc_id,
                    source=str(path),
                )
            )
            continue
        rows.append({"doc_id": doc_id, **rec, "_pos": pos, "_source": str(path)})
    return rows, rejections, expected


# --------------------------------------------------------------------------- XML


def read_xml(path: Path, data: bytes) -> tuple[list[dict], list[Rejection], int | None]:
    """Rows, rejections and the announced result count of a legacy Factiva XML export."""
    from lxml import etree

    parser = etree.XMLParser(recover=True, huge_tree=True)
    root = etree.fromstring(data, parser)
    if root is None:
        raise CorpusError(path, "not well-formed XML (nothing could be parsed)")
    errors = [f"line {e.line}: {e.message}" for e in parser.error_log]

    def lname(el) -> str:
        return etree.QName(el).localname if isinstance(el.tag, str) else ""

    def paras(article, name: str) -> list[str]:
        out = []
        for el in article:
            if lname(el) != name:
                continue
            ps = [p for p in el.iter() if lname(p) == "paragraph"]
            if ps:
                out.extend(" ".join("".join(p.itertext()).split()) for p in ps)
            else:  # text directly in the element; indented lines start paragraphs
                raw = "".join(el.itertext()).strip()
                out.extend(" ".join(chunk.split()) for chunk in re.split(r"\n[ \t]{3,}", raw))
        return [t for t in out if t]

    count = None
    for el in root.iter():
        if lname(el) == "ppsarticleResultSet" and el.get("count", "").isdigit():
            count = int(el.get("count"))
    articles = [el for el in root.iter() if lname(el) == "article"]
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for n, art in enumerate(articles, start=1):
        pos = f"document {n} (line {art.sourceline})"
        rec: dict[str, str] = {}
        simple = {
            "accessionNo": "doc_id",
            "baseLanguage": "language",
            "copyright": "copyright",
            "pages": "page",
            "publisherName": "publisher",
            "sourceName": "outlet_raw",
            "sourceCode": "source_code",
            "wordCount": "length",
            "byline": "byline",
            "sectionName": "section",
            "notes": "notes",
            "edition": "edition",
        }
        for el in art:
            name = lname(el)
            if name in simple:
                rec[simple[name]] = " ".join("".join(el.itertext()).split())
            elif name == "publicationDate":
                for sub in el:
                    if lname(sub) in ("dateTime", "date"):
                        rec["date_raw"] = (sub.text or "").strip()
                        rec["date_hint"] = rec["date_raw"][:10]
        for name, col in (
            ("region", "regions"),
            ("newsSubject", "subjects"),
            ("company", "companies"),
            ("industry", "industries"),
        ):
            vals = [
                f"{el.get('code')} : {' '.join(''.join(el.itertext()).split())}"
                for el in art
                if lname(el) == name
            ]
            if vals:
                rec[col] = " | ".join(vals)
        rec["title"] = " ".join(paras(art, "headline"))
        body = paras(art, "leadParagraph") + paras(art, "tailParagraphs")
        rec["text"] = "\n\n".join(body)
        doc_id = rec.pop("doc_id", "") or f"{path.stem}-{n}"
        if not rec["text"]:
            rejections.append(
                Rejection(
                    pos,
                    "no_body",
                    "no leadParagraph/tailParagraphs text",
                    doc_id=doc_id,
                    source=str(path),
                )
            )
            continue
        rows.append({"doc_id": doc_id, **rec, "_pos": pos, "_source": str(path)})
    if errors:
        rejections_note = "; ".join(errors[:3])
        if not articles:
            raise CorpusError(path, f"XML errors and no <article> found: {rejections_note}")
        rows_note = Rejection(
            f"file {path.name}",
            "malformed_xml",
            f"{len(errors)} XML error(s), parsed in recovery mode: {rejections_note}",
            source=str(path),
        )
        rejections.append(rows_note)
    return rows, rejections, count


# --------------------------------------------------------------------------- entry points


def _layout(head: str, path: Path) -> str | None:
    if head.lstrip().startswith("{\\rtf"):
        return "rtf" if re.search(r"Factiva|Dow Jones", head) else None
    if re.search(r"<PPSResponse|global\.factiva\.com/pps|<ppsarticle", head):
        return "xml"
    if re.search(r"class=\"article\s+[a-z]{2,6}Article", head) or (
        re.search(r"(?i)<html", head)
        and re.search(r"Factiva", head)
        and re.search(r"articleParagraph|class=\"index\"", head)
    ):
        return "html"
    if re.search(r"(?m)^\s*\*?(HD|AN|LP|TD|SN|WC)\*?\s*$", head) and AN_RE.search(head):
        return "txt"
    return None


def sniff(path: Path, head: bytes) -> str | None:
    """Factiva by content: RTF info, PPSResponse XML, article divs, or code lines + AN."""
    text = head_text(head)
    layout = _layout(text, path)
    reasons = {
        "rtf": "RTF written by Factiva ('Factiva RTF Display Format')",
        "xml": "Factiva PPSResponse XML",
        "html": 'Factiva article divs (class="article xxArticle")',
        "txt": "Factiva field codes on their own lines and 'Document <AN>' lines",
    }
    return reasons.get(layout) if layout else None


def read(path: Path, **options: object) -> RawRead:
    """Read any Factiva layout (recognised from the content)."""
    path = Path(path)
    data = path.read_bytes()
    head = head_text(data[:65536])
    layout = _layout(head, path)
    if layout is None:
        raise CorpusError(
            path,
            "not a recognised Factiva export (no field codes, article divs, "
            "Factiva RTF header or PPSResponse XML)",
        )
    notes: list[str] = []
    if layout == "xml":
        rows, rejections, expected = read_xml(path, data)
        notes.append(f"{path.name}: XML decoded by its own declaration")
        if expected is not None:
            notes.append(f"{path.name}: result set announces count={expected}")
    else:
        text, note = decode_bytes(data, declared_charset(data[:65536]))
        notes.append(f"{path.name}: {note}")
        if layout == "html":
            rows, rejections, expected = read_html(path, text)
        else:
            if layout == "rtf":
                from striprtf.striprtf import rtf_to_text

                plain = rtf_to_text(text, errors="replace")
                tokens, unit = _rtf_tokens(plain), "text line"
            else:
                plain, tokens, unit = text, _txt_tokens(text), "line"
            articles = code_fields(tokens)
            rows, rejections = _records_from_articles(articles, path, unit)
            expected = len(AN_RE.findall(plain))
        notes.append(f"{path.name}: {expected} 'Document <AN>' markers")
    df = pd.DataFrame(rows)
    for col in ("title", "outlet_raw", "date_raw"):
        if col in df.columns:
            df[col] = df[col].fillna("")
    return RawRead(
        df,
        "factiva",
        f"Factiva {layout.upper()} export",
        rejections,
        expected=expected,
        notes=notes,
    )
