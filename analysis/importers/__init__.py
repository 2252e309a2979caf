"""Format readers. Each module exposes ``read(path, **options) -> RawRead`` and
``sniff(path, head) -> reason | None``; :mod:`analysis.corpus` turns a ``RawRead`` into the article
schema and a load report.

``FORMATS`` maps a format name (the ``--format`` value) to ``(module, description)``. Modules are
imported lazily so that ``import analysis.importers`` stays cheap.
"""

from __future__ import annotations

import importlib
from types import ModuleType

FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("generic", "comma-separated values with a header row"),
    "tsv": ("generic", "tab-separated values with a header row"),
    "jsonl": ("generic", "JSON lines, one article object per line (.jsonl, .jsonl.gz)"),
    "parquet": ("generic", "Apache Parquet table"),
    "txt": ("generic", "one plain-text article per file"),
    "txt_folder": ("generic", "a folder of .txt files, one article each (sidecar CSV optional)"),
    "lines": ("generic", "a text file with one document per line"),
    "lexisnexis": ("lexisnexis", "old LexisNexis / Nexis UK download: TXT or HTML"),
    "nexis_uni": ("nexis_uni", "Nexis Uni / Lexis Advance DOCX download"),
    "factiva": ("factiva", "Factiva export: HTML page, RTF, TXT or legacy XML"),
    "proquest": ("proquest", "ProQuest 'Save as text' TXT, e-mail export (.eml) or its HTML"),
    "mediacloud": ("mediacloud", "Media Cloud story CSV (search tool, Explorer) or API JSON"),
    "gdelt": ("gdelt", "GDELT DOC 2.0 ArtList JSON or CSV (titles and URLs only)"),
    "html_page": ("html_page", "a saved web page (main text extracted with trafilatura)"),
}


def module_for(fmt: str) -> ModuleType:
    """Import the module that reads ``fmt``."""
    mod, _ = FORMATS[fmt]
    return importlib.import_module(f"{__name__}.{mod}")


def supported_formats() -> list[str]:
    """``["csv: comma-separated ...", ...]`` for error messages and ``--help``."""
    return [f"{name} ({desc})" for name, (_, desc) in FORMATS.items()]
