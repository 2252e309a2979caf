"""The study's tech-policy selection: subtopic tags and the in-study flag.

Rules live in a versioned YAML file (``analysis/resources/selection_<name>.yml``); see its header
for how they apply. Precision of the rules was measured by reading samples of selected and
rejected articles (``data/selection/``, reported in the corpus DATACARD).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import paths


@lru_cache(maxsize=8)
def selection_rules(name: str = "techpolicy") -> dict:
    """The parsed rule file ``selection_<name>.yml`` (or a path to a YAML file)."""
    p = (
        Path(name)
        if name.endswith((".yml", ".yaml"))
        else (paths.RESOURCES_DIR / f"selection_{name}.yml")
    )
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("subtopics"), dict):
        raise ValueError(f"{p}: selection rules need a 'subtopics' mapping")
    return data


def _compiled(name: str) -> dict[str, re.Pattern]:
    rules = selection_rules(name)
    return {
        sub: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
        for sub, pats in rules["subtopics"].items()
    }


def subtopic_hits(articles: pd.DataFrame, name: str = "techpolicy") -> pd.DataFrame:
    """Per article and subtopic: pattern matches in the title and in the body (two count columns
    per subtopic, ``<sub>_title`` and ``<sub>_body``)."""
    pats = _compiled(name)
    titles = articles["title"].fillna("").astype(str).tolist()
    texts = articles["text"].fillna("").astype(str).tolist()
    out = {}
    for sub, rx in pats.items():
        out[f"{sub}_title"] = [len(rx.findall(t)) for t in titles]
        out[f"{sub}_body"] = [len(rx.findall(t)) for t in texts]
    return pd.DataFrame(out, index=articles.index)


def tag_subtopics(articles: pd.DataFrame, name: str = "techpolicy") -> pd.DataFrame:
    """``articles`` plus ``subtopics`` (";"-joined, in rule order), one boolean column per subtopic
    (``sub_<name>``), ``in_study`` and ``selection_version``."""
    rules = selection_rules(name)
    min_body = int(rules.get("min_body_hits", 2))
    by_sub = rules.get("min_body_hits_by_subtopic") or {}
    hits = subtopic_hits(articles, name)
    tcol = rules.get("topic_column")
    tech_topic = (
        articles[tcol].isin(rules.get("tech_topics") or []).to_numpy()
        if tcol and tcol in articles.columns
        else np.zeros(len(articles), dtype=bool)
    )
    out = articles.copy()
    subs = list(rules["subtopics"])
    flags = {}
    for sub in subs:
        need = np.where(tech_topic, 1, int(by_sub.get(sub, min_body)))
        flags[sub] = (hits[f"{sub}_title"] > 0) | (hits[f"{sub}_body"].to_numpy() >= need)
        out[f"sub_{sub}"] = flags[sub].values
    out["subtopics"] = [";".join(s for s in subs if flags[s].iloc[i]) for i in range(len(out))]
    out["in_study"] = out["subtopics"] != ""
    out["selection_version"] = f"{rules['name']}-{rules['version']}"
    return out


def subtopic_long(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per (article, subtopic) for tagged articles: ``doc_id, subtopic`` plus the
    article's other columns (for counts by subtopic; an article can have several)."""
    sub_cols = [c for c in articles.columns if c.startswith("sub_")]
    long = articles.melt(
        id_vars=["doc_id"], value_vars=sub_cols, var_name="subtopic", value_name="tagged"
    )
    long = long[long["tagged"]].drop(columns="tagged")
    long["subtopic"] = long["subtopic"].str.removeprefix("sub_")
    rest = articles.drop(columns=sub_cols)
    return long.merge(rest, on="doc_id", how="left")
