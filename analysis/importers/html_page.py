"""A saved web page (one article): main text by trafilatura, metadata from the page itself.

trafilatura is used because it is the best-maintained open main-text extractor and came out on
top of the ScrapingHub/Bevendorff article-extraction benchmarks; hand-written tag stripping keeps
menus, cookie banners and comment threads. Title, date and outlet come from the page's own
metadata (``og:``/``article:`` meta tags, JSON-LD, ``<title>``) as trafilatura reports them; the
date is passed on as the raw string trafilatura found, never guessed from the file's timestamp.

:func:`html_to_text` (tag-to-line conversion that keeps text split by highlight spans together)
is shared with the vendor readers whose exports are HTML.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pandas as pd

from ..schema import RawRead, Rejection
from .detect import declared_charset, decode_bytes, head_text
from .outlets import outlet_from_url

_BLOCK_RE = re.compile(
    r"<\s*(?:br|/p|p|/div|div|/tr|/li|li|/h[1-6]|h[1-6]|/table|/blockquote|hr)\b[^>]*>",
    re.IGNORECASE,
)
MIN_FALLBACK_WORDS = 20
_PARA_END_RE = re.compile(r"<\s*/p\s*>", re.IGNORECASE)
_CELL_RE = re.compile(r"<\s*/t[dh]\s*>", re.IGNORECASE)
_DROP_RE = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")
_HTML_MARK_RE = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)


def html_to_text(markup: str, paragraph_break: str = "\n") -> str:
    """Visible text of an HTML fragment, one line per block element, entities unescaped.

    Source line breaks are plain whitespace (as a browser shows them). Inline tags (``<span>``,
    ``<b>``) are removed without adding space, so a word split over search-hit highlight spans
    (``<span class="hit">Dec</span>ember``) stays one word. ``</p>`` ends a line with
    ``paragraph_break``. Non-breaking spaces become ordinary spaces.
    """
    s = _DROP_RE.sub("", markup)
    s = _COMMENT_RE.sub("", s)
    s = re.sub(r"\s+", " ", s)
    s = _PARA_END_RE.sub(paragraph_break, s)
    s = _CELL_RE.sub("\t", s)
    s = _BLOCK_RE.sub("\n", s)
    s = _TAG_RE.sub("", s)
    s = re.sub(r"<[^>]*$", "", s)  # a tag cut off at the end of a truncated file
    s = html_lib.unescape(s).replace("\u00a0", " ")
    s = re.sub(r" *\t *", "\t", s)
    s = re.sub(r"[ \t\r\f\v]*\n[ \t\r\f\v]*", "\n", s)
    if paragraph_break == "\n":
        return re.sub(r"\n{2,}", "\n", s).strip()
    return re.sub(r"\n{3,}", "\n\n", s).strip()


def sniff(path: Path, head: bytes) -> str | None:
    """Any HTML document not claimed by a vendor sniffer (those are asked first)."""
    if path.suffix.lower() in (".html", ".htm", ".xhtml", ".shtml", ".mhtml"):
        return f"extension {path.suffix}: a saved web page"
    if _HTML_MARK_RE.search(head_text(head[:4096])):
        return "HTML markup (<html>/<!DOCTYPE html>) at the start"
    return None


def read(path: Path, **options: object) -> RawRead:
    """One row for the page's main text, or a rejection when no main text is found.

    Options: ``url`` (the page's address when the saved file does not carry it).
    """
    import trafilatura

    path = Path(path)
    data = path.read_bytes()
    markup, note = decode_bytes(data, declared_charset(data[:65536]))
    url = str(options.get("url") or "")
    kwargs = {
        "url": url or None,
        "with_metadata": True,
        "include_comments": False,
        "favor_precision": True,
    }
    # trafilatura's own extractor first; its fallbacks (readability, jusText) only when that
    # finds nothing, and then only a text of MIN_FALLBACK_WORDS or more counts as an article
    # (on a page without an article the fallbacks return menus such as "Home").
    doc = trafilatura.bare_extraction(markup, fast=True, **kwargs)
    fallback = False
    if doc is None or not (getattr(doc, "text", None) or "").strip():
        doc = trafilatura.bare_extraction(markup, **kwargs)
        fallback = True
    pos = f"file {path.name}"
    rows: list[dict] = []
    rejections: list[Rejection] = []
    meta = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
    text = (meta.get("text") or "").strip()
    title = (meta.get("title") or "").strip()
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if lines and title and lines[0] == title:
        lines = lines[1:]  # the headline repeated as the first line of the main text
    text = "\n\n".join(lines)
    page_url = url or meta.get("url") or ""
    if fallback and len(text.split()) < MIN_FALLBACK_WORDS:
        found = f" (only {text[:60]!r})" if text else ""
        rejections.append(
            Rejection(
                pos,
                "no_main_text",
                f"trafilatura found no main text in the page{found}",
                source=str(path),
            )
        )
    else:
        outlet = meta.get("sitename") or (outlet_from_url(page_url) if page_url else "")
        rows.append(
            {
                "doc_id": path.stem,
                "title": title,
                "text": text,
                "date_raw": meta.get("date") or "",
                "date_hint": meta.get("date") or "",
                "outlet_raw": outlet or "",
                "url": page_url,
                "authors": meta.get("author") or "",
                "description": meta.get("description") or "",
                "language": meta.get("language") or "",
                "_pos": pos,
                "_source": str(path),
            }
        )
    notes = [
        f"{path.name}: {note}",
        (
            "html_page: main text extracted by trafilatura; date_raw is the date in the page's "
            "own metadata as trafilatura reports it (ISO), empty when the page has none"
        ),
    ]
    return RawRead(
        pd.DataFrame(rows), "html_page", "saved web page", rejections, expected=1, notes=notes
    )
