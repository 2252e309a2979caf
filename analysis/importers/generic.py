"""Generic readers: CSV, TSV, JSON lines (plain or gzip), Parquet, a plain-text file, a folder of
text files, and a text file with one document per line.

Every reader returns a :class:`~analysis.schema.RawRead`: rows that parsed (raw column names, plus
``_pos`` and ``_source``) and a rejection for every unit that did not (malformed JSON line with its
line number, CSV row with the wrong number of fields, undecodable bytes, README-like files ...).

Decoding rule: files are read as UTF-8 (a BOM is honoured). When a file is not valid UTF-8 as a
whole, ``charset_normalizer`` picks an encoding if at least 5 % of its lines fail (a file in
another encoding, e.g. Latin-1); otherwise the few bad lines are decoded with
``surrogateescape`` and every record containing undecodable bytes is rejected
(``undecodable_bytes``) naming the field - never silently repaired.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
from pathlib import Path

import pandas as pd

from ..schema import CorpusError, LoadWarning, RawRead, Rejection

README_RE = re.compile(
    r"^(readme|license|licence|copying|changelog|notice|authors|contributing|datacard|data_card|"
    r"source)(\..*)?$|^source_upstream\.md$",
    re.IGNORECASE,
)
TEXT_SUFFIXES = {".txt", ".text", ".md"}
SIDECAR_NAMES = ("metadata.csv", "_metadata.csv", "meta.csv", "index.csv")
_SURROGATE_RE = re.compile("[\udc80-\udcff]")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Decode ``data`` following the module's decoding rule: ``(text, encoding, notes)``."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    lines = data.splitlines()
    bad = 0
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
    if lines and bad / len(lines) >= 0.05:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        enc = best.encoding if best is not None else "cp1252"
        return (
            data.decode(enc, errors="replace"),
            enc,
            [f"not UTF-8 ({bad:,} of {len(lines):,} lines); decoded as {enc}"],
        )
    return (
        data.decode("utf-8", errors="surrogateescape"),
        "utf-8",
        [f"{bad:,} line(s) hold bytes that are not UTF-8; records containing them are rejected"],
    )


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise CorpusError(path, "file not found")
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CorpusError(path, f"cannot decompress gzip file ({exc})") from exc
    return data


def _bad_field(record: dict) -> str | None:
    for k, v in record.items():
        if isinstance(v, str) and _SURROGATE_RE.search(v):
            return str(k)
    return None


def _frame(rows: list[dict], columns: list[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns) if columns else pd.DataFrame(rows)
    if "_pos" not in df.columns:
        df["_pos"] = pd.Series(dtype="object")
        df["_source"] = pd.Series(dtype="object")
    return df


def read_delimited(path: Path, delimiter: str = ",", fmt: str = "csv") -> RawRead:
    """CSV/TSV with a header row. Rows with the wrong number of fields are rejected by line."""
    text, enc, notes = decode_bytes(_read_bytes(path))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise CorpusError(path, "empty file: no header row") from exc
    except csv.Error as exc:
        raise CorpusError(path, f"cannot read the header row ({exc})") from exc
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise CorpusError(path, f"duplicate column names in header: {dup}")
    rows: list[dict] = []
    rejections: list[Rejection] = []
    start_line = reader.line_num + 1
    row_no = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_no += 1
            rejections.append(
                Rejection(f"line {start_line}", "malformed_row", str(exc), source=str(path))
            )
            start_line = reader.line_num + 1
            continue
        line = start_line
        start_line = reader.line_num + 1
        if not fields or all(f == "" for f in fields):
            continue  # blank line: not a unit
        row_no += 1
        pos = f"row {row_no} (line {line})"
        if len(fields) != len(header):
            rejections.append(
                Rejection(
                    pos,
                    "malformed_row",
                    f"{len(fields)} fields, header has {len(header)}",
                    source=str(path),
                )
            )
            continue
        rec = dict(zip(header, fields))
        bad = _bad_field(rec)
        if bad:
            rejections.append(
                Rejection(
                    pos,
                    "undecodable_bytes",
                    "bytes that are not valid in " + enc,
                    field=bad,
                    source=str(path),
                )
            )
            continue
        rec["_pos"] = pos
        rec["_source"] = str(path)
        rows.append(rec)
    reason = f"{fmt} requested or recognised from extension/content"
    return RawRead(
        frame=_frame(rows, header + ["_pos", "_source"]),
        reader=fmt,
        reason=reason,
        rejections=rejections,
        notes=notes,
    )


def read_jsonl(path: Path) -> RawRead:
    """JSON lines (``.jsonl``/``.ndjson``, optionally ``.gz``); each line one JSON object."""
    data = _read_bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    rows: list[dict] = []
    rejections: list[Rejection] = []
    for i, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        pos = f"line {i}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            rejections.append(
                Rejection(
                    pos, "undecodable_bytes", f"not UTF-8 at byte {exc.start}", source=str(path)
                )
            )
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rejections.append(
                Rejection(
                    pos, "malformed_json", f"{exc.msg} at column {exc.colno}", source=str(path)
                )
            )
            continue
        if not isinstance(obj, dict):
            rejections.append(
                Rejection(
                    pos,
                    "not_an_object",
                    f"line holds a JSON {type(obj).__name__}",
                    source=str(path),
                )
            )
            continue
        rec = {k: _scalar(v) for k, v in obj.items()}
        rec["_pos"] = pos
        rec["_source"] = str(path)
        rows.append(rec)
    return RawRead(_frame(rows), "jsonl", "JSON lines (.jsonl/.jsonl.gz)", rejections)


def _scalar(v: object) -> object:
    """Nested JSON values become JSON strings so every column is flat."""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return v


def read_parquet(path: Path) -> RawRead:
    """A Parquet file (or a folder of parquet parts)."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise CorpusError(path, f"cannot read parquet ({type(exc).__name__}: {exc})") from exc
    df = table.to_pandas()
    for c in df.columns:
        if df[c].dtype == "object" or pd.api.types.is_string_dtype(df[c]):
            df[c] = df[c].astype("object")
    df["_pos"] = [f"row {i + 1}" for i in range(len(df))]
    df["_source"] = str(path)
    return RawRead(df, "parquet", "Apache Parquet (.parquet)")


def read_txt_file(
    path: Path, title_line: int | None = None, drop_lines: list[str] | None = None
) -> RawRead:
    """One plain-text file = one article (``doc_id`` = file stem).

    Options (manifest ``options``): ``title_line`` - the N-th non-empty line (1-based) is the
    title and is removed from the text; ``drop_lines`` - exact lines to drop (stray page debris
    such as a lone "×"), each reported in the notes.
    """
    text, enc, notes = decode_bytes(_read_bytes(path))
    title = ""
    if drop_lines or title_line:
        lines = text.splitlines()
        if drop_lines:
            kept_lines = [ln for ln in lines if ln.strip() not in set(drop_lines)]
            if len(kept_lines) != len(lines):
                notes.append(f"dropped {len(lines) - len(kept_lines)} line(s) listed in drop_lines")
            lines = kept_lines
        if title_line:
            nonempty = [i for i, ln in enumerate(lines) if ln.strip()]
            if len(nonempty) >= title_line:
                i = nonempty[title_line - 1]
                title = lines[i].strip()
                lines = lines[:i] + lines[i + 1 :]
        text = "\n".join(lines).strip("\n")
    rec = _txt_record(path, text, path.stem)
    rec["title"] = title
    rejections = []
    if _bad_field(rec):
        rejections.append(
            Rejection(f"file {path.name}", "undecodable_bytes", enc, field="text", source=str(path))
        )
        rows = []
    else:
        rows = [rec]
    return RawRead(_frame(rows), "txt", "one plain-text article per file", rejections, notes=notes)


def _txt_record(path: Path, text: str, doc_id: str) -> dict:
    return {
        "doc_id": doc_id,
        "text": text,
        "file": path.name,
        "_pos": f"file {path.name}",
        "_source": str(path),
    }


def read_txt_folder(path: Path, category_from_subfolder: bool = True) -> RawRead:
    """A folder of ``.txt`` files, one article each.

    * ``doc_id`` is the path relative to the folder without suffix (``sub/name``).
    * Sidecar metadata: a ``metadata.csv`` (or ``_metadata.csv``/``meta.csv``/``index.csv``) with a
      ``file``/``filename``/``doc_id`` column is joined on the file name; sidecar rows that match no
      file are reported as warnings.
    * One level of subfolders becomes a ``category`` column when ``category_from_subfolder``.
    * README-like files (README, LICENSE, DATACARD ...) are rejected as ``not_an_article``:
      reported, never loaded as articles.
    """
    if not path.is_dir():
        raise CorpusError(path, "not a folder")
    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    sidecar = next((path / n for n in SIDECAR_NAMES if (path / n).exists()), None)
    rows: list[dict] = []
    rejections: list[Rejection] = []
    notes: list[str] = []
    for f in files:
        if sidecar is not None and f == sidecar:
            continue
        rel = f.relative_to(path)
        if README_RE.match(f.name):
            rejections.append(
                Rejection(
                    f"file {rel}", "not_an_article", "README-like file name; skipped", source=str(f)
                )
            )
            continue
        if f.suffix.lower() not in TEXT_SUFFIXES:
            rejections.append(
                Rejection(
                    f"file {rel}",
                    "unsupported_file",
                    f"suffix {f.suffix!r} is not a text file",
                    source=str(f),
                )
            )
            continue
        text, enc, n = decode_bytes(f.read_bytes())
        notes.extend(f"{rel}: {x}" for x in n)
        rec = _txt_record(f, text, rel.with_suffix("").as_posix())
        rec["file"] = rel.as_posix()
        if category_from_subfolder and len(rel.parts) > 1:
            rec["category"] = rel.parts[0]
        if _bad_field(rec):
            rejections.append(
                Rejection(f"file {rel}", "undecodable_bytes", enc, field="text", source=str(f))
            )
            continue
        rows.append(rec)
    df = _frame(rows)
    warnings: list[LoadWarning] = []
    if sidecar is not None and len(df):
        meta = read_delimited(sidecar, "\t" if sidecar.suffix == ".tsv" else ",").frame
        key = next((c for c in ("file", "filename", "doc_id") if c in meta.columns), None)
        if key is None:
            raise CorpusError(
                sidecar, "sidecar metadata needs a 'file', 'filename' or 'doc_id' column"
            )
        meta = meta.drop(columns=["_pos", "_source"])
        meta["_key"] = meta[key].map(lambda s: Path(s).with_suffix("").as_posix())
        df["_key"] = df["doc_id"]
        unmatched = set(meta["_key"]) - set(df["_key"])
        for k in sorted(unmatched):
            warnings.append(
                LoadWarning(
                    f"sidecar {sidecar.name}",
                    "file",
                    f"metadata row for {k!r} matches no text file",
                )
            )
        meta = meta.drop(columns=[c for c in ("doc_id", "file") if c in meta.columns and c != key])
        meta = meta.drop(columns=[key]) if key in ("file", "filename", "doc_id") else meta
        df = df.merge(meta, on="_key", how="left").drop(columns="_key")
        notes.append(f"metadata joined from {sidecar.name}")
    return RawRead(
        df, "txt_folder", "a folder of text files", rejections, notes=notes, warnings=warnings
    )


def read_lines(path: Path) -> RawRead:
    """A text file with one document per line; blank lines are not documents."""
    text, enc, notes = decode_bytes(_read_bytes(path))
    rows, rejections = [], []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        pos = f"line {i}"
        rec = {"doc_id": f"{path.stem}-{i}", "text": line, "_pos": pos, "_source": str(path)}
        if _bad_field(rec):
            rejections.append(
                Rejection(pos, "undecodable_bytes", enc, field="text", source=str(path))
            )
            continue
        rows.append(rec)
    return RawRead(_frame(rows), "lines", "one document per line", rejections, notes=notes)


def read(path: Path, format: str, **options: object) -> RawRead:  # noqa: A002 - CLI name
    """Dispatch to the reader for ``format``."""
    path = Path(path)
    if format == "csv":
        return read_delimited(path, str(options.get("delimiter") or ","), "csv")
    if format == "tsv":
        return read_delimited(path, "\t", "tsv")
    if format == "jsonl":
        return read_jsonl(path)
    if format == "parquet":
        return read_parquet(path)
    if format == "txt":
        return read_txt_file(path, options.get("title_line"), options.get("drop_lines"))
    if format == "txt_folder":
        return read_txt_folder(path, bool(options.get("category_from_subfolder", True)))
    if format == "lines":
        return read_lines(path)
    raise CorpusError(path, f"generic reader has no format {format!r}")


def sniff(path: Path, head: bytes) -> str | None:
    """Generic formats are recognised by extension and a light content check (see detect.py)."""
    name = path.name.lower()
    if path.is_dir():
        return "folder: one article per text file"
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")):
        return "extension .jsonl"
    if name.endswith((".parquet", ".pq")) or head[:4] == b"PAR1":
        return "parquet magic bytes"
    if name.endswith(".tsv") or name.endswith(".tab"):
        return "extension .tsv"
    if name.endswith(".csv"):
        return "extension .csv"
    return None
