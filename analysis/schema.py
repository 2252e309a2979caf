"""The one article schema, the load report, and the error type every reader raises.

Article table (a ``pandas.DataFrame``, one row per article):

=============  ===============================================================
``doc_id``     string, unique within a corpus
``outlet``     normalised outlet name (manifest table applied), may be empty
``outlet_raw`` the outlet exactly as the source spells it
``date``       ``datetime64[ns]``; ``NaT`` when the source has no real date
``date_raw``   the date string exactly as the source gives it
``title``      headline ("" when the source has none)
``text``       article body; never empty (empty texts are rejected)
``url``        link, "" when unknown
=============  ===============================================================

plus any metadata columns a corpus brings (``bias``, ``topic``, ``authors`` ...).

Every load returns the articles and a :class:`LoadReport`. The invariant
``read == kept + rejected`` holds for every report (see :meth:`LoadReport.check`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

ARTICLE_COLUMNS: tuple[str, ...] = (
    "doc_id",
    "outlet",
    "outlet_raw",
    "date",
    "date_raw",
    "title",
    "text",
    "url",
)
STRING_COLUMNS: tuple[str, ...] = tuple(c for c in ARTICLE_COLUMNS if c != "date")
REQUIRED_FIELDS: tuple[str, ...] = ("doc_id", "text")


class CorpusError(Exception):
    """A fatal problem with a corpus source: missing file, unknown format, no text column ...

    The message always names the file and the problem; where relevant it lists what is supported.
    """

    def __init__(self, path: str | Path | None, problem: str, supported: list[str] | None = None):
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.supported = supported or []
        msg = f"{self.path}: {problem}" if self.path else problem
        if self.supported:
            msg += "\nSupported: " + ", ".join(self.supported)
        super().__init__(msg)


@dataclass(frozen=True)
class Rejection:
    """One unit of input that did not become an article, and why."""

    position: str  # "line 12", "row 5", "document 3 of 10", "file a.txt"
    reason: str  # short, stable key, e.g. "empty_text", "duplicate_doc_id", "malformed_json"
    detail: str = ""  # human-readable specifics
    doc_id: str | None = None
    field: str | None = None
    source: str | None = None  # file the unit came from


@dataclass(frozen=True)
class LoadWarning:
    """Something kept but worth knowing (e.g. an unparseable date kept as NaT)."""

    position: str
    field: str
    message: str
    doc_id: str | None = None


@dataclass
class LoadReport:
    """What a load read, kept and rejected, and why. ``read == kept + rejected`` always."""

    source: str
    reader: str = ""
    reader_reason: str = ""
    read: int = 0
    kept: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    columns_mapped: dict[str, str] = field(default_factory=dict)  # schema column -> source column
    metadata_columns: list[str] = field(default_factory=list)
    expected: int | None = None  # documents announced by the format's own markers
    duplicates_folded: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def reasons(self) -> dict[str, int]:
        return dict(sorted(Counter(r.reason for r in self.rejections).items()))

    @property
    def warning_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(w.field for w in self.warnings).items()))

    def check(self) -> LoadReport:
        """Raise ``AssertionError`` unless counts reconcile; returns self for chaining."""
        if self.read != self.kept + self.rejected:
            raise AssertionError(
                f"{self.source}: load counts do not reconcile: read {self.read} != "
                f"kept {self.kept} + rejected {self.rejected}"
            )
        return self

    def to_dict(self, max_items: int | None = 200) -> dict[str, Any]:
        """JSON-ready summary; ``max_items`` caps the itemised rejections/warnings lists."""
        rej = [asdict(r) for r in self.rejections[:max_items]]
        warn = [asdict(w) for w in self.warnings[:max_items]]
        return {
            "source": self.source,
            "reader": self.reader,
            "reader_reason": self.reader_reason,
            "read": self.read,
            "kept": self.kept,
            "rejected": self.rejected,
            "reasons": self.reasons,
            "expected": self.expected,
            "expected_difference": None if self.expected is None else self.read - self.expected,
            "duplicates_folded": self.duplicates_folded,
            "columns_mapped": dict(self.columns_mapped),
            "metadata_columns": list(self.metadata_columns),
            "warnings": self.warning_counts,
            "notes": list(self.notes),
            "rejections": rej,
            "warning_items": warn,
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(**kwargs), indent=2, ensure_ascii=False, default=str)

    def rejections_frame(self) -> pd.DataFrame:
        cols = ["position", "reason", "detail", "doc_id", "field", "source"]
        return pd.DataFrame([asdict(r) for r in self.rejections], columns=cols)

    def warnings_frame(self) -> pd.DataFrame:
        cols = ["position", "field", "message", "doc_id"]
        return pd.DataFrame([asdict(w) for w in self.warnings], columns=cols)

    def summary(self) -> str:
        lines = [
            f"source: {self.source}",
            f"reader: {self.reader} ({self.reader_reason})" if self.reader else "",
            f"read {self.read:,} = kept {self.kept:,} + rejected {self.rejected:,}",
        ]
        if self.expected is not None:
            diff = self.read - self.expected
            lines.append(
                f"format markers announce {self.expected:,} documents"
                + ("" if diff == 0 else f" (difference {diff:+,})")
            )
        for reason, n in self.reasons.items():
            lines.append(f"  rejected {reason}: {n:,}")
        for fld, n in self.warning_counts.items():
            lines.append(f"  warning on {fld}: {n:,}")
        if self.duplicates_folded:
            lines.append(f"duplicates folded: {self.duplicates_folded:,}")
        if self.columns_mapped:
            mapped = ", ".join(f"{k} <- {v}" for k, v in self.columns_mapped.items())
            lines.append(f"columns mapped: {mapped}")
        lines.extend(self.notes)
        return "\n".join(line for line in lines if line)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        import html

        return "<pre>" + html.escape(self.summary()) + "</pre>"

    def merge(self, other: LoadReport) -> None:
        """Fold another report (e.g. of one file in a folder) into this one."""
        self.read += other.read
        self.kept += other.kept
        self.rejections.extend(other.rejections)
        self.warnings.extend(other.warnings)
        self.notes.extend(other.notes)
        if other.expected is not None:
            self.expected = (self.expected or 0) + other.expected
        for k, v in other.columns_mapped.items():
            self.columns_mapped.setdefault(k, v)
        for c in other.metadata_columns:
            if c not in self.metadata_columns:
                self.metadata_columns.append(c)


@dataclass
class RawRead:
    """What a format reader hands to :func:`analysis.corpus.standardize_articles`.

    ``frame`` holds one row per unit that parsed, with whatever columns the format has (raw names)
    plus ``_pos`` (human-readable position, e.g. "line 12") and ``_source`` (file). Units that
    could not be parsed at all are in ``rejections``. ``read`` is ``len(frame) + len(rejections)``.
    ``mapping`` may pre-set schema column -> raw column pairs the reader knows (vendor formats).
    """

    frame: pd.DataFrame
    reader: str
    reason: str
    rejections: list[Rejection] = field(default_factory=list)
    expected: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)

    @property
    def read(self) -> int:
        return len(self.frame) + len(self.rejections)


def empty_articles(extra: list[str] | None = None) -> pd.DataFrame:
    """An empty article table with the schema's dtypes."""
    cols = {c: pd.Series(dtype="object") for c in STRING_COLUMNS}
    cols["date"] = pd.Series(dtype="datetime64[ns]")
    df = pd.DataFrame(cols)[list(ARTICLE_COLUMNS)]
    for c in extra or []:
        df[c] = pd.Series(dtype="object")
    return df


def validate_articles(df: pd.DataFrame, name: str = "articles") -> pd.DataFrame:
    """Check that ``df`` follows the article schema; raise ``ValueError`` naming what is wrong."""
    missing = [c for c in ARTICLE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing schema columns {missing}")
    if df["doc_id"].isna().any() or (df["doc_id"].astype(str) == "").any():
        raise ValueError(f"{name}: doc_id must be a non-empty string in every row")
    dup = df["doc_id"][df["doc_id"].duplicated()]
    if len(dup):
        raise ValueError(f"{name}: duplicate doc_id values, e.g. {dup.iloc[0]!r}")
    if not pd.api.types.is_datetime64_any_dtype(df["date"]):
        raise ValueError(f"{name}: column 'date' must be datetime64 (NaT when unknown)")
    empty = df["text"].fillna("").astype(str).str.strip() == ""
    if empty.any():
        raise ValueError(f"{name}: empty text in doc_id {df.loc[empty, 'doc_id'].iloc[0]!r}")
    return df
