"""Recognise an input's format from its content, and decode vendor bytes honestly.

:func:`detect_format` asks every vendor sniffer first (LexisNexis, Nexis Uni, Factiva, ProQuest,
Media Cloud, GDELT), then the generic saved-web-page reader, then the generic formats by
extension and light content checks. A LexisNexis export saved as ``.txt`` or a Factiva page saved
as ``.html`` is therefore never read as one plain article.

:func:`decode_bytes` is the one decoding rule of the vendor readers: a BOM wins; otherwise the
bytes must be valid UTF-8; if they are not, files that are mostly UTF-8 with a few stray bytes
(Factiva pages that declare UTF-8 but hold Latin-1 metadata) keep their UTF-8 and decode only the
stray bytes as cp1252, and other files are decoded with the declared charset (meta charset, RTF
``\\ansicpg``) or the encoding ``charset_normalizer`` finds. The returned note says which rule
applied, so the load report can show it.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import importlib
import io
import json
import re
from pathlib import Path

import pandas as pd

from ..schema import CorpusError, RawRead

HEAD_BYTES = 64 * 1024

#: vendor formats in the order their sniffers are asked: (format name, module, description)
VENDOR_FORMATS: tuple[tuple[str, str, str], ...] = (
    ("gdelt", "gdelt", "GDELT DOC 2.0 ArtList JSON or CSV (titles and URLs only)"),
    ("mediacloud", "mediacloud", "Media Cloud story CSV (search tool, Explorer) or API JSON"),
    ("factiva", "factiva", "Factiva export: HTML page, RTF, TXT or legacy XML"),
    ("lexisnexis", "lexisnexis", "old LexisNexis / Nexis UK download: TXT or HTML"),
    ("nexis_uni", "nexis_uni", "Nexis Uni / Lexis Advance DOCX download"),
    ("proquest", "proquest", "ProQuest 'Save as text' TXT, e-mail export (.eml) or its HTML"),
    ("html_page", "html_page", "a saved web page (main text extracted with trafilatura)"),
)
#: generic formats read by :mod:`analysis.importers.generic` (names as in its ``read``)
GENERIC_FORMATS: tuple[tuple[str, str], ...] = (
    ("csv", "comma-separated values with a header row"),
    ("tsv", "tab-separated values with a header row"),
    ("jsonl", "JSON lines, one article object per line (.jsonl, .jsonl.gz)"),
    ("parquet", "Apache Parquet table"),
    ("txt", "one plain-text article per file"),
    ("txt_folder", "a folder of .txt files, one article each"),
    ("lines", "a text file with one document per line (only with --format lines)"),
)
TEXT_SUFFIXES = (".txt", ".text", ".md")
_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_ANSICPG_RE = re.compile(rb"\\ansicpg(\d+)")
_FALLBACK_HANDLER = "analysis_cp1252_fallback"


def supported_formats() -> list[str]:
    """``["name (description)", ...]`` for every format detection can return."""
    vendor = [f"{name} ({desc})" for name, _, desc in VENDOR_FORMATS]
    return vendor + [f"{name} ({desc})" for name, desc in GENERIC_FORMATS]


def read_head(path: Path, n: int = HEAD_BYTES) -> bytes:
    """The first ``n`` bytes of a file (``b""`` for a folder)."""
    if path.is_dir():
        return b""
    with path.open("rb") as fh:
        return fh.read(n)


def declared_charset(head: bytes) -> str | None:
    """Charset declared by an HTML/XML meta tag or RTF ``\\ansicpg`` in ``head``, if any."""
    m = _ANSICPG_RE.search(head[:4096])
    if m:
        return f"cp{int(m.group(1))}"
    m = _CHARSET_RE.search(head[:8192])
    if m:
        name = m.group(1).decode("ascii", "ignore").lower()
        try:
            return codecs.lookup(name).name
        except LookupError:
            return None
    return None


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode each stray byte as cp1252 (Latin-1 where cp1252 has a gap)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    out = "".join(
        bytes([b]).decode("cp1252", errors="ignore") or bytes([b]).decode("latin-1") for b in bad
    )
    return out, err.end


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode vendor bytes: ``(text, note)``; the note names the encoding and any fallback."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), f"decoded as {enc} (BOM)"
    try:
        return data.decode("utf-8"), "decoded as utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # how much of the file is genuine multi-byte UTF-8?  If there is some, the file is UTF-8
    # with stray single-byte characters (mixed) and only those bytes get the cp1252 fallback.
    seqs = re.findall(rb"[\xc2-\xf4][\x80-\xbf]{1,3}", data)
    multibyte = len(seqs)
    stray = len(re.findall(rb"[\x80-\xff]", data)) - sum(len(s) for s in seqs)
    where = f"first invalid byte at offset {first_bad:,}"
    if multibyte and stray < multibyte:
        try:
            codecs.lookup_error(_FALLBACK_HANDLER)
        except LookupError:
            codecs.register_error(_FALLBACK_HANDLER, _cp1252_fallback)
        text = data.decode("utf-8", errors=_FALLBACK_HANDLER)
        return text, (
            f"not valid UTF-8 ({where}); kept UTF-8 and decoded the stray bytes as "
            f"cp1252" + (f" (file declares {declared})" if declared else "")
        )
    if declared and declared not in ("utf-8", "utf_8"):
        try:
            return data.decode(declared), f"decoded as declared {declared} (not valid UTF-8)"
        except (UnicodeDecodeError, LookupError):
            pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    enc = matches[0].encoding if matches else "cp1252"
    # charset-normalizer ranks cp1250 and cp1252 equal on Western European text; vendor
    # exports are overwhelmingly cp1252/Latin-1, so cp1252 wins a tie with the best guess
    for m in matches:
        if m.encoding in ("cp1252", "latin_1", "iso8859_15") and (
            m.chaos <= matches[0].chaos + 0.01 and m.coherence >= matches[0].coherence - 0.01
        ):
            enc = m.encoding
            break
    note = f"not valid UTF-8 ({where}); decoded as {enc} (charset-normalizer)"
    if declared:
        note += f"; the file declares {declared}"
    return data.decode(enc, errors="replace"), note


def read_text(path: Path) -> tuple[str, str]:
    """Read and decode a whole file with :func:`decode_bytes` (declared charset sniffed)."""
    data = path.read_bytes()
    return decode_bytes(data, declared_charset(data[:HEAD_BYTES]))


def head_text(head: bytes) -> str:
    """``head`` decoded leniently for sniffing (never for reading)."""
    for bom in (codecs.BOM_UTF8,):
        head = head.removeprefix(bom)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


def _generic_format(path: Path, head: bytes) -> tuple[str, str] | None:
    """Generic formats by extension, then by a light look at the content."""
    name = path.name.lower()
    if path.is_dir():
        return "txt_folder", "a folder: one article per text file"
    if head[:4] == b"PAR1" or name.endswith((".parquet", ".pq")):
        return "parquet", "Parquet magic bytes" if head[:4] == b"PAR1" else "extension .parquet"
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                inner = fh.read(HEAD_BYTES)
        except (OSError, EOFError):
            inner = b""
        if _looks_like_jsonl(inner):
            return "jsonl", "gzip-compressed JSON lines"
        if name.endswith((".jsonl.gz", ".ndjson.gz")):
            return "jsonl", "extension .jsonl.gz (gzip-compressed JSON lines)"
        return None
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl", f"extension {path.suffix}"
    if name.endswith((".tsv", ".tab")):
        return "tsv", f"extension {path.suffix}"
    if name.endswith(".csv"):
        return "csv", "extension .csv"
    if b"\x00" in head[:4096]:
        return None  # binary and not recognised
    if _looks_like_jsonl(head):
        return "jsonl", "every line is a JSON object"
    text = head_text(head)
    delim = _delimited(text)
    if delim and not name.endswith(TEXT_SUFFIXES):
        return (
            ("tsv", "tab-separated header and rows")
            if delim == "\t"
            else ("csv", "comma-separated header and rows")
        )
    if name.endswith(TEXT_SUFFIXES):
        return "txt", f"extension {path.suffix}: one plain-text article"
    return None


def _vendor_sniff(path: Path) -> tuple[str, str] | None:
    head = read_head(path)
    for name, module, _ in VENDOR_FORMATS:
        if name == "html_page":
            continue
        mod = importlib.import_module(f"{__package__}.{module}")
        reason = mod.sniff(path, head)
        if reason:
            return name, reason
    return None


def _folder_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))


def _folder_vendor_format(path: Path) -> tuple[str, str] | None:
    """A folder of vendor exports (one vendor): ``(format, reason)``; ``None`` if it has none.

    A folder mixing vendor exports with other files or with another vendor raises
    :class:`CorpusError` naming the files, instead of reading exports as one article each.
    """
    found = {f: _vendor_sniff(f) for f in _folder_files(path)}
    vendor = {f: v[0] for f, v in found.items() if v}
    if not vendor:
        return None
    kinds = sorted(set(vendor.values()))
    others = [f.name for f, v in found.items() if not v]
    readme = re.compile(r"(?i)^(readme|license|licence|provenance|notes?)(\..*)?$")
    others = [n for n in others if not readme.match(n)]
    if len(kinds) > 1 or others:
        listing = ", ".join(f"{f.name}: {v}" for f, v in list(vendor.items())[:10])
        raise CorpusError(
            path,
            "the folder mixes vendor exports ("
            + listing
            + ")"
            + (f" with other files ({', '.join(others[:10])})" if others else "")
            + "; load each export (or list them in a manifest) with its own format",
        )
    return kinds[0], f"a folder of {len(vendor)} {kinds[0]} export file(s)"


def _looks_like_jsonl(head: bytes) -> bool:
    lines = [ln for ln in head.splitlines() if ln.strip()][:5]
    if len(lines) > 1 and len(head) >= HEAD_BYTES:
        lines = lines[:-1]  # the last line may be cut by the head limit
    if len(lines) < 2:
        return False  # one JSON object is a .json file, not JSON lines
    for ln in lines:
        try:
            if not isinstance(json.loads(ln), dict):
                return False
        except ValueError:
            return False
    return True


def _delimited(text: str) -> str | None:
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if len(lines) < 2:
        return None
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:10]), delimiters=",\t;")
    except csv.Error:
        return None
    rows = list(csv.reader(io.StringIO("\n".join(lines[:10])), dialect))
    widths = {len(r) for r in rows[:-1] or rows}
    if len(widths) == 1 and widths.pop() >= 2:
        return dialect.delimiter
    return None


def detect_format(path: str | Path) -> tuple[str, str]:
    """``(format_name, reason)`` for ``path``, from its content first and its extension last.

    Raises :class:`~analysis.schema.CorpusError` when the file does not exist or nothing
    recognises it; the message lists the supported formats and mentions ``--format``.
    """
    path = Path(path)
    if not path.exists():
        raise CorpusError(path, "file or folder not found")
    if path.is_dir():
        vendor = _folder_vendor_format(path)
        if vendor:
            return vendor
    head = read_head(path)
    if not path.is_dir():
        for name, module, _ in VENDOR_FORMATS:
            mod = importlib.import_module(f"{__package__}.{module}")
            reason = mod.sniff(path, head)
            if reason:
                return name, reason
    found = _generic_format(path, head)
    if found:
        return found
    raise CorpusError(
        path,
        "could not recognise the format from the content or the extension; "
        "pass the format explicitly with --format NAME (or format: in the manifest)",
        supported=supported_formats(),
    )


def read_any(path: str | Path, fmt: str | None = None, **options: object) -> RawRead:
    """Read ``path`` with the reader for ``fmt`` (detected from the content when ``None``)."""
    path = Path(path)
    if fmt is None:
        fmt, _ = detect_format(path)
    vendor = {name: module for name, module, _ in VENDOR_FORMATS}
    if fmt in vendor and path.is_dir():
        return read_vendor_folder(path, fmt, **options)
    if fmt in vendor:
        mod = importlib.import_module(f"{__package__}.{vendor[fmt]}")
        return mod.read(path, **options)
    if fmt in {name for name, _ in GENERIC_FORMATS}:
        generic = importlib.import_module(f"{__package__}.generic")
        return generic.read(path, format=fmt, **options)
    raise CorpusError(path, f"unknown format {fmt!r}", supported=supported_formats())


def format_summary(paths: list[str | Path]) -> pd.DataFrame:
    """One row per file: detected format and reason, announced vs parsed vs rejected documents.

    Columns: ``file, format, reason, expected, parsed, rejected, rejection_reasons, error``.
    A file that cannot be read at all (e.g. a GDELT error body) has its message in ``error``.
    """
    rows = []
    for p in paths:
        p = Path(p)
        row: dict[str, object] = {
            "file": p.name,
            "format": "",
            "reason": "",
            "expected": None,
            "parsed": 0,
            "rejected": 0,
            "rejection_reasons": "",
            "error": "",
        }
        try:
            fmt, reason = detect_format(p)
            row.update(format=fmt, reason=reason)
            raw = read_any(p, fmt)
            reasons = sorted({r.reason for r in raw.rejections})
            row.update(
                expected=raw.expected,
                parsed=len(raw.frame),
                rejected=len(raw.rejections),
                rejection_reasons=", ".join(reasons),
            )
        except CorpusError as exc:
            row["error"] = str(exc).split("\n")[0]
        rows.append(row)
    cols = [
        "file",
        "format",
        "reason",
        "expected",
        "parsed",
        "rejected",
        "rejection_reasons",
        "error",
    ]
    return pd.DataFrame(rows, columns=cols)


def read_vendor_folder(path: Path, fmt: str, **options: object) -> RawRead:
    """Every ``fmt`` export in a folder read and combined into one :class:`RawRead`.

    ``doc_id`` values made from file stems stay unique; ``expected`` is the sum of the files'
    announced counts (``None`` when no file announces one).
    """
    module = {name: mod for name, mod, _ in VENDOR_FORMATS}[fmt]
    mod = importlib.import_module(f"{__package__}.{module}")
    frames, rejections, notes, warnings = [], [], [], []
    expected: int | None = None
    files = [f for f in _folder_files(path) if (_vendor_sniff(f) or ("",))[0] == fmt]
    for f in files:
        raw = mod.read(f, **options)
        frames.append(raw.frame)
        rejections.extend(raw.rejections)
        notes.extend(raw.notes)
        warnings.extend(raw.warnings)
        if raw.expected is not None:
            expected = (expected or 0) + raw.expected
    frame = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else pd.DataFrame()
    )
    return RawRead(
        frame,
        fmt,
        f"folder of {len(files)} {fmt} exports",
        rejections,
        expected=expected,
        notes=notes,
        warnings=warnings,
    )
