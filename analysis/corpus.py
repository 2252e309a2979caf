"""Load a corpus into the article schema with a load report; nothing is silently lost.

A corpus is a folder ``data/corpora/<name>/`` with a manifest ``corpus.yml`` and a ``DATACARD.md``.
``load_corpus`` accepts a corpus name, a folder, a manifest path or a bare data file.

Rules applied to every source (each tested in ``tests/test_corpus.py``):

* ``empty_text`` - text missing or only whitespace: rejected.
* ``missing_field`` - no ``doc_id`` value: rejected (when the source has no id column at all, ids
  are generated as ``<file stem>-<row>`` and the report says so).
* ``duplicate_doc_id`` - a later row repeats an earlier ``doc_id``: the first is kept, the later
  one rejected (whether its text differs is in the detail).
* ``not_text`` - binary junk (NUL bytes or mostly control characters): rejected.
* HTML markup in text: converted to plain text (lxml) and warned ``html_stripped``.
* Very long texts (> ``LONG_TEXT_CHARS``) are kept whole and warned ``very_long_text``.
* Dates: parsed by :func:`analysis.dates.parse_dates`; unparseable or impossible dates are ``NaT``
  with a warning, and ``date_raw`` keeps the string.
* Duplicates (``fold_duplicates=True``, the default): exact and near-duplicate articles are grouped
  (``dup_group``); all but the group's representative are rejected as ``exact_duplicate`` /
  ``near_duplicate`` naming the representative, and counted in ``duplicates_folded``.
* Fatal problems (missing file, unknown format, no text column, a manifest path that leaves the
  corpus folder, a malformed manifest) raise :class:`~analysis.schema.CorpusError`.

``read == kept + rejected`` holds for every report.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import fields as dc_fields
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import __version__, paths
from .dates import parse_dates
from .dedup import DedupConfig, duplicate_groups, duplicate_pairs
from .files import write_parquet_atomic, write_text_atomic
from .importers import FORMATS, supported_formats
from .importers.detect import detect_format, read_any
from .schema import (
    ARTICLE_COLUMNS,
    CorpusError,
    LoadReport,
    LoadWarning,
    RawRead,
    Rejection,
)

LONG_TEXT_CHARS = 1_000_000
CACHE_VERSION = "3"

# schema column -> common source names, in priority order (case-insensitive)
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "doc_id": ("doc_id", "id", "article_id", "stories_id", "story_id", "uuid", "guid", "an"),
    "text": (
        "text",
        "content",
        "body",
        "content_original",
        "full_text",
        "fulltext",
        "article",
        "story_text",
        "maintext",
        "article_text",
    ),
    "title": ("title", "headline", "heading", "hd"),
    "date_raw": (
        "date_raw",
        "date",
        "publish_date",
        "published",
        "pubdate",
        "publication_date",
        "published_at",
        "date_published",
        "datetime",
        "seendate",
    ),
    "outlet_raw": (
        "outlet_raw",
        "outlet",
        "source",
        "media_name",
        "publication",
        "publisher",
        "source_name",
        "site",
        "domain",
        "newspaper",
    ),
    "url": ("url", "link", "article_url", "source_url"),
}
MANIFEST_KEYS = {
    "name",
    "description",
    "source",
    "licence",
    "license",
    "citation",
    "retrieved",
    "snapshot",
    "files",
    "format",
    "columns",
    "outlets",
    "date_formats",
    "dedup",
    "attention",
    "selection",
    "source_location",
    "options",
    "notes",
    "outlet_from",
    "title_only",
}
_TAG_RE = re.compile(
    r"<(?:p|div|br|span|a|b|i|em|strong|script|style|html|body|table|li|ul|h\d)\b[^>]*>",
    re.IGNORECASE,
)
_CTRL_RE = re.compile(r"[\x00-\x08\x0e-\x1f]")


# ----------------------------------------------------------------------------- manifests
def read_manifest(path: Path) -> dict[str, Any]:
    """Parse and check a ``corpus.yml``; errors name the file and the key (and line for YAML)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorpusError(path, "manifest not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CorpusError(path, f"malformed YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise CorpusError(path, "manifest must be a mapping of keys to values")
    unknown = sorted(set(data) - MANIFEST_KEYS)
    if unknown:
        raise CorpusError(path, f"unknown manifest key(s) {unknown}", sorted(MANIFEST_KEYS))
    files = data.get("files")
    if isinstance(files, str):
        data["files"] = [files]
    elif not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise CorpusError(path, "key 'files' must list at least one data file")
    for key in ("columns", "outlets", "dedup", "options", "attention", "selection"):
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            raise CorpusError(path, f"key '{key}' must be a mapping")
    fmt = data.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise CorpusError(path, f"key 'format': unknown format {fmt!r}", supported_formats())
    return data


def manifest_files(manifest: dict[str, Any], folder: Path, manifest_path: Path) -> list[Path]:
    """Data files of a manifest, refusing relative paths that leave the corpus folder.

    Absolute paths are allowed only with ``source_location: external`` (written by
    ``add-corpus`` when the analyst keeps the sources where they are).
    """
    root = folder.resolve()
    out = []
    for f in manifest["files"]:
        p = Path(f)
        if p.is_absolute():
            if manifest.get("source_location") != "external":
                raise CorpusError(
                    manifest_path,
                    f"file {f!r} is an absolute path; set "
                    "'source_location: external' to allow sources outside the folder",
                )
            out.append(p)
            continue
        resolved = (root / p).resolve()
        if root != resolved and root not in resolved.parents:
            raise CorpusError(manifest_path, f"file {f!r} leaves the corpus folder {root}")
        out.append(resolved)
    return out


# ----------------------------------------------------------------------------- targets
def resolve_target(target: str | Path) -> tuple[Path | None, dict[str, Any] | None, list[Path]]:
    """``(manifest_path, manifest, data_paths)`` for a name, folder, manifest or file."""
    t = Path(target)
    if not t.exists() and isinstance(target, str) and "/" not in target and "\\" not in target:
        cand = paths.corpus_dir(target)
        if cand.exists():
            t = cand
        else:
            known = sorted(
                p.name for p in paths.CORPORA_DIR.glob("*") if (p / "corpus.yml").exists()
            )
            raise CorpusError(
                target,
                "no such file, folder or corpus name",
                [f"corpus names: {', '.join(known)}", "or a path to a file/folder"],
            )
    if not t.exists():
        raise CorpusError(t, "file not found")
    if t.is_dir() and (t / "corpus.yml").exists():
        t = t / "corpus.yml"
    if t.is_file() and t.suffix in (".yml", ".yaml"):
        manifest = read_manifest(t)
        return t, manifest, manifest_files(manifest, t.parent, t)
    return None, None, [t]


# ----------------------------------------------------------------------------- mapping
def infer_mapping(columns: list[str], overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Schema column -> source column, from ``overrides`` then ``COMMON_NAMES``."""
    lower = {c.lower(): c for c in columns if not c.startswith("_")}
    mapping: dict[str, str] = {}
    for key, src in (overrides or {}).items():
        key = {"date": "date_raw", "outlet": "outlet_raw"}.get(key, key)
        mapping[key] = src
    used = set(mapping.values())
    for target, names in COMMON_NAMES.items():
        if target in mapping:
            continue
        for n in names:
            if n in lower and lower[n] not in used:
                mapping[target] = lower[n]
                used.add(lower[n])
                break
    return mapping


def _html_to_text(s: str) -> str:
    import lxml.html

    try:
        doc = lxml.html.fromstring(s)
    except Exception:  # noqa: BLE001 - unparsable markup stays as it was
        return s
    for bad in doc.xpath("//script|//style"):
        bad.getparent().remove(bad) if bad.getparent() is not None else None
    for br in doc.xpath("//br|//p|//div|//li"):
        br.tail = ("\n" + br.tail) if br.tail else "\n"
    return re.sub(r"\n{3,}", "\n\n", doc.text_content()).strip()


def standardize_articles(
    raw: RawRead,
    source: str,
    mapping: dict[str, str] | None = None,
    outlets: dict[str, str] | None = None,
    date_formats: list[str] | None = None,
    outlet_from: str | None = None,
    title_only: bool = False,
) -> tuple[pd.DataFrame, LoadReport]:
    """Turn a reader's ``RawRead`` into the article schema and its load report.

    ``title_only``: sources that hold headlines but no text (GDELT and Media Cloud story lists)
    are analysed on their headlines - ``text`` is set to the title and ``text_source`` says so.
    Without it such rows are rejected as ``title_only`` (not ``empty_text``), with a note.
    """
    df = raw.frame.copy()
    report = LoadReport(
        source=source,
        reader=raw.reader,
        reader_reason=raw.reason,
        expected=raw.expected,
        notes=list(raw.notes),
    )
    report.rejections.extend(raw.rejections)
    report.warnings.extend(raw.warnings)
    report.read = raw.read
    cols = [c for c in df.columns if not c.startswith("_")]
    m = infer_mapping(cols, {**raw.mapping, **(mapping or {})})
    for tgt, src in list(m.items()):
        if src not in df.columns:
            if tgt in ("doc_id", "text") and (mapping or {}).get(tgt) == src:
                raise CorpusError(
                    source, f"column {src!r} (mapped to {tgt}) not found; columns are {cols}"
                )
            m.pop(tgt)
    if "text" not in m:
        if raw.read == 0 or len(df) == 0 and raw.rejections:
            m["text"] = "text"
            df["text"] = pd.Series(dtype="object")
        else:
            raise CorpusError(
                source,
                f"no text column found among {cols}",
                [
                    "columns named " + "/".join(COMMON_NAMES["text"][:6]),
                    "or pass --text-column / set columns.text in corpus.yml",
                ],
            )
    report.columns_mapped = {
        ("date" if k == "date_raw" else "outlet" if k == "outlet_raw" else k): v
        for k, v in m.items()
    }
    out = pd.DataFrame(index=df.index)
    for tgt in ("doc_id", "text", "title", "date_raw", "outlet_raw", "url"):
        src = m.get(tgt)
        out[tgt] = df[src] if src is not None else None
    generated_ids = "doc_id" not in m
    if generated_ids:
        stems = df["_source"].map(lambda s: Path(str(s)).name.split(".")[0]) if len(df) else []
        out["doc_id"] = [f"{s}-{i + 1}" for i, s in enumerate(stems)]
        report.notes.append("no id column: doc_id generated as <file stem>-<row number>")
    if outlet_from == "url" and "url" in m:
        from .importers.outlets import outlet_from_url

        out["outlet_raw"] = [
            outlet_from_url(u) if isinstance(u, str) and u else None for u in out["url"]
        ]
        report.columns_mapped["outlet"] = f"{m['url']} (domain)"
    core = {"doc_id", "text", "title", "date_raw", "outlet_raw", "url"}
    for extra, src in m.items():  # manifest may name metadata columns too, e.g. rating: bias_text
        if extra not in core:
            out[extra] = df[src]
    meta_cols = [c for c in cols if c not in m.values()]
    report.metadata_columns = meta_cols
    for c in meta_cols:
        out[c if c not in ARTICLE_COLUMNS else f"{c}_source"] = df[c]
    pos = df["_pos"] if "_pos" in df else pd.Series([f"row {i + 1}" for i in range(len(df))])
    src_file = df["_source"] if "_source" in df else pd.Series([source] * len(df))

    def as_str(v: object) -> str:
        if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
            return ""
        return str(v)

    for c in ("doc_id", "text", "title", "date_raw", "outlet_raw", "url"):
        out[c] = out[c].map(as_str).astype(object)
    out["doc_id"] = out["doc_id"].str.strip()

    keep = []
    text_source: dict[object, str] = {}
    seen: dict[str, str] = {}
    pos_l, src_l = pos.astype(str).tolist(), src_file.astype(str).tolist()
    for i, (idx, doc_id, text) in enumerate(zip(out.index, out["doc_id"], out["text"])):
        p, f = pos_l[i], src_l[i]
        if not doc_id:
            report.rejections.append(
                Rejection(p, "missing_field", "no doc_id value", field="doc_id", source=f)
            )
            continue
        if not text.strip():
            title = out.at[idx, "title"]
            if title.strip() and title_only:
                out.at[idx, "text"] = title
                text_source[idx] = "title"
            elif title.strip():
                report.rejections.append(
                    Rejection(
                        p,
                        "title_only",
                        "headline but no text (set title_only to analyse headlines)",
                        doc_id=doc_id,
                        field="text",
                        source=f,
                    )
                )
                continue
            else:
                report.rejections.append(
                    Rejection(
                        p, "empty_text", "text is empty", doc_id=doc_id, field="text", source=f
                    )
                )
                continue
        if "\x00" in text or len(_CTRL_RE.findall(text[:10000])) > 0.1 * min(len(text), 10000):
            report.rejections.append(
                Rejection(
                    p,
                    "not_text",
                    "binary or control characters",
                    doc_id=doc_id,
                    field="text",
                    source=f,
                )
            )
            continue
        if doc_id in seen:
            same = (
                "same text"
                if seen[doc_id] == hashlib.md5(text.encode()).hexdigest()
                else "different text"
            )
            report.rejections.append(
                Rejection(
                    p,
                    "duplicate_doc_id",
                    f"doc_id already used by an earlier row ({same}); first occurrence kept",
                    doc_id=doc_id,
                    field="doc_id",
                    source=f,
                )
            )
            continue
        seen[doc_id] = hashlib.md5(text.encode()).hexdigest()
        keep.append(idx)
    n_title_only = sum(1 for r in report.rejections if r.reason == "title_only")
    if n_title_only:
        report.notes.append(
            f"{n_title_only:,} rows are headline-only (e.g. a GDELT or Media Cloud "
            "story list); set title_only: true (--title-only) to analyse headlines"
        )
    if text_source:
        out["text_source"] = pd.Series(text_source).reindex(out.index).fillna("text")
        report.notes.append(f"{len(text_source):,} rows have no text: their headline is analysed")
    out = out.loc[keep].copy()
    kept_pos = pos.loc[keep] if len(keep) else pd.Series(dtype=object)

    # HTML, long texts
    texts = out["text"].tolist()
    for j, (idx, t) in enumerate(zip(out.index, texts)):
        if _TAG_RE.search(t):
            out.at[idx, "text"] = _html_to_text(t)
            report.warnings.append(
                LoadWarning(
                    str(kept_pos.iloc[j]),
                    "text",
                    "html_stripped: markup converted to plain text",
                    out.at[idx, "doc_id"],
                )
            )
        if len(t) > LONG_TEXT_CHARS:
            report.warnings.append(
                LoadWarning(
                    str(kept_pos.iloc[j]),
                    "text",
                    f"very_long_text: {len(t):,} characters kept whole",
                    out.at[idx, "doc_id"],
                )
            )
    for c in ("title",):
        out[c] = out[c].map(lambda s: _html_to_text(s) if _TAG_RE.search(s) else s)

    # dates
    hint = df.loc[out.index, "date_hint"] if "date_hint" in df.columns else None
    dates, problem = parse_dates(out["date_raw"].tolist(), date_formats)
    if hint is not None:
        hd, _ = parse_dates(hint.tolist(), ["ISO8601"])
        dates = dates.where(dates.notna(), hd)
        problem = problem.where(hd.isna(), "")
    dates.index = out.index
    problem.index = out.index
    out["date"] = dates.astype("datetime64[ns]")
    for j, (idx, pr) in enumerate(problem.items()):
        if pr:
            report.warnings.append(
                LoadWarning(
                    str(kept_pos.iloc[j]),
                    "date",
                    f"{pr} date {out.at[idx, 'date_raw']!r} kept as NaT",
                    out.at[idx, "doc_id"],
                )
            )

    # outlets
    table = {str(k).strip(): str(v) for k, v in (outlets or {}).items()}
    out["outlet"] = out["outlet_raw"].map(lambda s: table.get(s.strip(), s.strip()))

    out = out[list(ARTICLE_COLUMNS) + [c for c in out.columns if c not in ARTICLE_COLUMNS]]
    out = out.reset_index(drop=True)
    report.kept = len(out)
    return out, report.check()


def fold_duplicates(
    articles: pd.DataFrame, report: LoadReport, config: DedupConfig | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group duplicates, keep one representative per group, record the rest as rejections.

    Returns ``(representatives, pairs)``; ``report`` is updated in place.
    """
    pairs = duplicate_pairs(articles, config)
    groups = duplicate_groups(articles, pairs)
    articles = articles.assign(dup_group=groups.values)
    rep = articles["dup_group"] == articles["doc_id"]
    kinds = {}
    for a, b, k in zip(pairs["doc_id_a"], pairs["doc_id_b"], pairs["kind"]):
        kinds.setdefault(b, k)
        kinds.setdefault(a, k)
    for _, row in articles.loc[~rep, ["doc_id", "dup_group"]].iterrows():
        kind = kinds.get(row["doc_id"], "near")
        report.rejections.append(
            Rejection(
                f"doc_id {row['doc_id']}",
                f"{kind}_duplicate",
                f"folded into {row['dup_group']}",
                doc_id=row["doc_id"],
            )
        )
    report.duplicates_folded = int((~rep).sum())
    report.kept -= report.duplicates_folded
    out = articles.loc[rep].reset_index(drop=True)
    report.check()
    return out, pairs


# ----------------------------------------------------------------------------- cache
def _file_digest(p: Path) -> str:
    h = hashlib.sha256()
    if p.is_dir():
        for f in sorted(x for x in p.rglob("*") if x.is_file()):
            h.update(str(f.relative_to(p)).encode())
            h.update(_file_digest(f).encode())
        return h.hexdigest()
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def code_digest() -> str:
    """Hash of the loading code, so a change to any reader invalidates cached loads."""
    h = hashlib.sha256()
    pkg = paths.PACKAGE_DIR
    for f in sorted(
        [
            pkg / "corpus.py",
            pkg / "dates.py",
            pkg / "dedup.py",
            pkg / "schema.py",
            *(pkg / "importers").glob("*.py"),
        ]
    ):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _report_from_dict(d: dict[str, Any]) -> LoadReport:
    rej_fields = {f.name for f in dc_fields(Rejection)}
    warn_fields = {f.name for f in dc_fields(LoadWarning)}
    rep = LoadReport(
        source=d["source"],
        reader=d["reader"],
        reader_reason=d["reader_reason"],
        read=d["read"],
        kept=d["kept"],
        rejections=[
            Rejection(**{k: v for k, v in r.items() if k in rej_fields}) for r in d["rejections"]
        ],
        warnings=[
            LoadWarning(**{k: v for k, v in w.items() if k in warn_fields})
            for w in d["warning_items"]
        ],
        columns_mapped=d["columns_mapped"],
        metadata_columns=d["metadata_columns"],
        expected=d["expected"],
        duplicates_folded=d["duplicates_folded"],
        notes=d["notes"],
    )
    return rep.check()


# ----------------------------------------------------------------------------- public API
def load_corpus(
    target: str | Path,
    *,
    format: str | None = None,  # noqa: A002 - mirrors the CLI flag
    columns: dict[str, str] | None = None,
    outlet_from: str | None = None,
    fold: bool = True,
    dedup: DedupConfig | None = None,
    use_cache: bool = True,
    title_only: bool = False,
) -> tuple[pd.DataFrame, LoadReport]:
    """Load ``target`` (corpus name, folder, manifest or file) as ``(articles, report)``.

    ``columns`` overrides the column mapping (schema name -> source column). ``fold`` keeps one
    representative per duplicate group (see module docstring). Results for the same source bytes,
    manifest and options are cached under ``.cache/corpora`` (parquet + JSON report).
    """
    manifest_path, manifest, files = resolve_target(target)
    manifest = manifest or {}
    source = str(manifest_path or files[0])
    dcfg = dedup or DedupConfig(**(manifest.get("dedup") or {}))
    outlet_from = outlet_from or manifest.get("outlet_from")
    key_parts = {
        "v": CACHE_VERSION,
        "code": __version__,
        "code_digest": code_digest(),
        "manifest": manifest,
        "format": format,
        "columns": columns,
        "fold": fold,
        "title_only": title_only,
        "dedup": repr(dcfg),
        "outlet_from": outlet_from,
        "files": [(str(f), _file_digest(f)) for f in files if f.exists()],
    }
    key = hashlib.sha256(json.dumps(key_parts, sort_keys=True, default=str).encode()).hexdigest()[
        :24
    ]
    cache_dir = paths.CACHE_DIR / "corpora" / key
    if (
        use_cache
        and (cache_dir / "articles.parquet").exists()
        and (cache_dir / "report.json").exists()
    ):
        articles = pd.read_parquet(cache_dir / "articles.parquet")
        articles["date"] = articles["date"].astype("datetime64[ns]")
        report = _report_from_dict(json.loads((cache_dir / "report.json").read_text()))
        return articles, report

    frames, reports = [], []
    for f in files:
        fmt = format or manifest.get("format")
        if not f.exists():
            raise CorpusError(
                f, "file not found" + (f" (listed in {manifest_path})" if manifest_path else "")
            )
        if fmt is None:
            fmt, reason = detect_format(f)
        else:
            reason = "format given" + (" in manifest" if manifest.get("format") else " by --format")
        if fmt not in FORMATS:
            raise CorpusError(f, f"unknown format {fmt!r}", supported_formats())
        raw = read_any(f, fmt, **(manifest.get("options") or {}))
        raw.reason = f"{raw.reason}; chosen because: {reason}"
        arts, rep = standardize_articles(
            raw,
            str(f),
            mapping={**(manifest.get("columns") or {}), **(columns or {})},
            outlets=manifest.get("outlets"),
            date_formats=manifest.get("date_formats"),
            outlet_from=outlet_from,
            title_only=bool(title_only or manifest.get("title_only")),
        )
        frames.append(arts)
        reports.append(rep)
    report = reports[0] if len(reports) == 1 else LoadReport(source=source)
    if len(reports) > 1:
        report.reader = ",".join(sorted({r.reader for r in reports}))
        report.reader_reason = "; ".join(sorted({r.reader_reason for r in reports}))
        for r in reports:
            report.merge(r)
    report.source = source
    articles = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) > 1:  # ids must be unique across files
        dup = articles["doc_id"].duplicated()
        for did in articles.loc[dup, "doc_id"]:
            report.rejections.append(
                Rejection(
                    f"doc_id {did}",
                    "duplicate_doc_id",
                    "doc_id repeated in a later file; first kept",
                    doc_id=did,
                    field="doc_id",
                )
            )
        articles = articles.loc[~dup].reset_index(drop=True)
        report.kept = len(articles)
    if fold and len(articles):
        articles, _ = fold_duplicates(articles, report, dcfg)
    elif "dup_group" not in articles:
        articles["dup_group"] = articles["doc_id"]
    report.check()
    if use_cache:
        # unique temporary names: parallel loaders of one corpus must not rename each other's file
        write_parquet_atomic(articles, cache_dir / "articles.parquet")
        write_text_atomic(report.to_json(max_items=None), cache_dir / "report.json")
    return articles, report


def corpus_manifest(name: str) -> dict[str, Any]:
    """The parsed manifest of a named corpus."""
    return read_manifest(paths.corpus_dir(name) / "corpus.yml")


def target_manifest(target: str | Path) -> dict[str, Any]:
    """The manifest behind a corpus name, folder or manifest path; ``{}`` for a bare file."""
    try:
        _, manifest, _ = resolve_target(target)
    except CorpusError:
        return {}
    return manifest or {}


def sample_articles(articles: pd.DataFrame, n: int | None, seed: int = 0) -> pd.DataFrame:
    """A seeded random sample of ``n`` articles in original order (all when ``n`` is None)."""
    if n is None or n >= len(articles):
        return articles
    return articles.sample(n=n, random_state=seed).sort_index().reset_index(drop=True)


def study_articles(
    corpus: str = "allsides_techpolicy", sample: int | None = None, seed: int = 0
) -> pd.DataFrame:
    """The study's articles: loaded, duplicates folded, tagged with subtopics; only in-study rows
    when the corpus defines a selection (the shipped corpus does); optionally a seeded sample."""
    articles, _ = load_corpus(corpus)
    manifest = target_manifest(corpus)
    if manifest.get("selection"):
        articles = _cached_selection(articles, manifest["selection"].get("rules", "techpolicy"))
        articles = articles[articles["in_study"]].reset_index(drop=True)
    return sample_articles(articles, sample, seed)


def _cached_selection(articles: pd.DataFrame, rules: str) -> pd.DataFrame:
    """``tag_subtopics`` with its result cached by the rules, the code and the articles' content
    (the regular expressions take several seconds over the whole pool)."""
    from .selection import tag_subtopics

    h = hashlib.sha256()
    h.update(
        pd.util.hash_pandas_object(articles[["doc_id", "title", "text"]], index=False)
        .to_numpy()
        .tobytes()
    )
    for f in (paths.RESOURCES_DIR / f"selection_{rules}.yml", paths.PACKAGE_DIR / "selection.py"):
        h.update(f.read_bytes() if f.exists() else rules.encode())
    path = paths.CACHE_DIR / "selection" / f"{h.hexdigest()[:24]}.parquet"
    if path.exists():
        tagged = pd.read_parquet(path)
        tagged["date"] = tagged["date"].astype("datetime64[ns]")
        return tagged
    tagged = tag_subtopics(articles, rules)
    write_parquet_atomic(tagged, path)
    return tagged
