"""Bring a new corpus into the study: ``python -m analysis add-corpus PATH --name NAME``.

Creates ``data/corpora/NAME/`` with

* ``corpus.yml`` - the manifest, with the inferred column mapping written out for the analyst to
  edit, the detected format, an outlet-normalisation table listing every outlet spelling found,
  and ``TODO`` markers for what only the analyst knows (source, licence, citation, snapshot date:
  never invented);
* ``DATACARD.md`` - a template pre-filled with counts, date range, outlets and the load report.

Sources stay where they are (``source_location: external``, absolute paths) unless ``copy`` is
set, in which case they are copied into the folder. Rerunning is idempotent: the same input gives
the same files byte for byte (no timestamps). An existing manifest is kept unless ``force``; the
generated part of an existing data card (between the ``generated`` markers) is refreshed and the
analyst's own text around it is kept.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from . import paths
from .corpus import load_corpus
from .schema import CorpusError, LoadReport

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
GEN_START = "<!-- generated:start (python -m analysis add-corpus rewrites this block) -->"
GEN_END = "<!-- generated:end -->"


def _same_file(a: Path, b: Path) -> bool:
    if not b.exists() or a.stat().st_size != b.stat().st_size:
        return False
    return hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def _copy_sources(src: Path, folder: Path) -> list[str]:
    if src.is_dir():
        dest = folder / "source"
        for f in sorted(p for p in src.rglob("*") if p.is_file()):
            target = dest / f.relative_to(src)
            if not _same_file(f, target):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, target)
        return ["source"]
    target = folder / src.name
    if not _same_file(src, target):
        shutil.copy2(src, target)
    return [src.name]


def manifest_for(
    name: str,
    files: list[str],
    fmt: str,
    report: LoadReport,
    articles: pd.DataFrame,
    external: bool,
    outlet_from: str | None,
    title_only: bool,
) -> dict[str, Any]:
    """The manifest ``add-corpus`` writes (a plain dict, dumped as YAML)."""
    outlets = sorted(
        o
        for o in articles.get("outlet_raw", pd.Series(dtype=str)).unique()
        if isinstance(o, str) and o
    )
    m: dict[str, Any] = {
        "name": name,
        "description": "TODO: what these articles are and how they were collected",
        "source": "TODO: database or site, query, who exported it",
        "licence": "TODO: the licence or terms the source states",
        "citation": "TODO: how to cite the source",
        "snapshot": "TODO: retrieval or export date",
        "files": files,
        "format": fmt,
        "columns": {k: v for k, v in report.columns_mapped.items() if "(" not in v},
        "outlets": {o: o for o in outlets[:500]},
        "date_formats": [],
    }
    if external:
        m["source_location"] = "external"
    if outlet_from:
        m["outlet_from"] = outlet_from
    if title_only:
        m["title_only"] = True
    return m


def datacard_block(name: str, report: LoadReport, articles: pd.DataFrame) -> str:
    """The generated part of the data card: counts, dates, outlets, load report."""
    lines = [
        GEN_START,
        "",
        f"## Counts (measured by `python -m analysis corpus validate {name}`)",
        "",
        "| | n |",
        "|---|---|",
        f"| read | {report.read:,} |",
        f"| kept | {report.kept:,} |",
        f"| rejected | {report.rejected:,} |",
    ]
    for reason, n in report.reasons.items():
        lines.append(f"| rejected: {reason} | {n:,} |")
    if report.expected is not None:
        lines.append(f"| announced by the format's own markers | {report.expected:,} |")
    lines.append(f"| duplicates folded | {report.duplicates_folded:,} |")
    dates = articles["date"].dropna() if "date" in articles else pd.Series(dtype="datetime64[ns]")
    if len(dates):
        lines.append(f"| date range | {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d} |")
    lines.append(f"| without a usable date | {int(articles['date'].isna().sum()):,} |")
    lines += ["", f"Reader: `{report.reader}` ({report.reader_reason}).", ""]
    mapped = ", ".join(f"`{k} <- {v}`" for k, v in report.columns_mapped.items())
    lines += [f"Columns mapped: {mapped}.", ""]
    if report.metadata_columns:
        lines += [
            "Kept as metadata: " + ", ".join(f"`{c}`" for c in report.metadata_columns) + ".",
            "",
        ]
    outlets = articles["outlet"].replace("", pd.NA).dropna().value_counts()
    if len(outlets):
        lines += [
            f"Outlets ({len(outlets):,}; the 20 largest):",
            "",
            "| outlet | articles |",
            "|---|---|",
        ]
        lines += [f"| {o} | {n:,} |" for o, n in outlets.head(20).items()]
        lines.append("")
    else:
        lines += ["No outlet names (charts by outlet will be skipped).", ""]
    if report.notes:
        lines += ["Load notes:", ""] + [f"- {n}" for n in report.notes] + [""]
    lines.append(GEN_END)
    return "\n".join(lines)


DATACARD_TEMPLATE = """# Data card: `{name}`

**What it is.** TODO: one paragraph on what these articles are.

| | |
|---|---|
| Source | TODO |
| Licence as stated | TODO |
| Citation | TODO |
| Snapshot | TODO |
| How it was selected | TODO: query, filters, date range |

{block}

## Known problems

TODO: boilerplate, encoding issues, outlets spelled several ways, missing dates ...
"""


def add_corpus(
    source: str | Path,
    name: str,
    *,
    format: str | None = None,  # noqa: A002 - mirrors the CLI flag
    columns: dict[str, str] | None = None,
    outlet_from: str | None = None,
    title_only: bool = False,
    copy: bool = False,
    force: bool = False,
    corpora_dir: Path | None = None,
) -> tuple[Path, LoadReport, list[str]]:
    """Create or refresh ``data/corpora/<name>/``; returns ``(folder, report, actions)``."""
    if not NAME_RE.match(name):
        raise CorpusError(name, "corpus names use lower-case letters, digits, '_' and '-'")
    src = Path(source).resolve()
    articles, report = load_corpus(
        src,
        format=format,
        columns=columns,
        outlet_from=outlet_from,
        title_only=title_only,
        use_cache=False,
    )
    folder = (corpora_dir or paths.CORPORA_DIR) / name
    folder.mkdir(parents=True, exist_ok=True)
    actions = []
    if copy:
        files = _copy_sources(src, folder)
        actions.append(f"copied sources into {folder}")
    else:
        files = [str(src)]
    fmt = format or report.reader
    manifest = manifest_for(name, files, fmt, report, articles, not copy, outlet_from, title_only)
    text = (
        "# Manifest written by `python -m analysis add-corpus`; edit the TODOs, the column "
        "mapping and the outlet table.\n"
        + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
    )
    mpath = folder / "corpus.yml"
    if mpath.exists() and not force and mpath.read_text(encoding="utf-8") != text:
        actions.append("kept the existing corpus.yml (use --force to regenerate it)")
    elif not mpath.exists() or mpath.read_text(encoding="utf-8") != text:
        mpath.write_text(text, encoding="utf-8")
        actions.append("wrote corpus.yml")
    block = datacard_block(name, report, articles)
    dpath = folder / "DATACARD.md"
    if dpath.exists():
        old = dpath.read_text(encoding="utf-8")
        if GEN_START in old and GEN_END in old:
            pre, rest = old.split(GEN_START, 1)
            _, post = rest.split(GEN_END, 1)
            new = pre + block + post
        else:
            new = old.rstrip("\n") + "\n\n" + block + "\n"
    else:
        new = DATACARD_TEMPLATE.format(name=name, block=block)
    if not dpath.exists() or dpath.read_text(encoding="utf-8") != new:
        dpath.write_text(new, encoding="utf-8")
        actions.append("wrote DATACARD.md")
    if not actions:
        actions.append("nothing to do: the corpus folder is up to date")
    return folder, report, actions
