"""article_frame_rates (counted with integer codes and np.bincount) equals its groupby
definition, kept here as the reference, on real sentences of the corpus and on SYNTHETIC edge
cases (hits of documents not in the sentence table, no hits, no sentences, no lexicons given,
negated hits counted, a lexicon subset)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis import framing as F
from analysis.corpus import study_articles
from analysis.text import sentence_table


def reference_rates(
    hits: pd.DataFrame, sentences: pd.DataFrame, lexicons: Any = None, include_negated=False
) -> pd.DataFrame:
    """The groupby/unstack definition article_frame_rates had until it was counted with codes."""
    if "n_words" not in sentences.columns:
        sentences = sentences.assign(n_words=[F.count_words(t) for t in sentences["text"]])
    words = sentences.groupby("doc_id", sort=False)["n_words"].sum()
    rep = sentences[sentences["voice"] == "reporter"].groupby("doc_id", sort=False)["n_words"].sum()
    base = pd.DataFrame({"doc_id": words.index})
    base["n_words"] = words.to_numpy()
    base["n_words_reporter"] = rep.reindex(words.index).fillna(0).astype("int64").to_numpy()
    if lexicons is not None:
        cats = [f"{lx}.{c}" for lx, c in F.resolve_lexicons(lexicons).categories()]
    else:
        cats = list(dict.fromkeys((hits["lexicon"] + "." + hits["category"]).tolist()))
    h = hits.assign(key=hits["lexicon"] + "." + hits["category"])
    counted = h if include_negated else h[~h["negated"]]

    def wide(df: pd.DataFrame) -> pd.DataFrame:
        t = df.groupby(["doc_id", "key"]).size().unstack("key")
        return t.reindex(index=words.index, columns=cats).fillna(0).astype("int64")

    c_all = wide(counted)
    c_rep = wide(counted[counted["voice"] == "reporter"])
    c_neg = wide(h[h["negated"]])
    nw = base["n_words"].to_numpy(dtype=float)
    nr = base["n_words_reporter"].to_numpy(dtype=float)
    cols: dict[str, Any] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in cats:
            a = c_all[k].to_numpy()
            r = c_rep[k].to_numpy()
            cols[f"{k}.count"] = a
            cols[f"{k}.rate"] = np.where(nw > 0, a * 1000.0 / np.where(nw > 0, nw, 1), np.nan)
            cols[f"{k}.reporter_count"] = r
            cols[f"{k}.reporter_rate"] = np.where(
                nr > 0, r * 1000.0 / np.where(nr > 0, nr, 1), np.nan
            )
            cols[f"{k}.negated"] = c_neg[k].to_numpy()
    return pd.concat([base, pd.DataFrame(cols, index=base.index)], axis=1)


@pytest.fixture(scope="module")
def tables():
    arts = study_articles(sample=40, seed=11)
    # SYNTHETIC: an article whose only sentence is its title, one with no words at all
    extra = pd.DataFrame(
        {"doc_id": ["synthetic-title-only", "synthetic-empty"], "title": ["A title", ""]}
    ).assign(text="")
    arts = pd.concat([arts, extra.reindex(columns=arts.columns)], ignore_index=True)
    sents = sentence_table(arts)
    lex = F.resolve_lexicons(None)
    return sents, F.frame_hits(sents, lex, articles=arts), lex


def test_counted_rates_equal_the_groupby_definition(tables):
    sents, hits, lex = tables
    assert len(hits) > 1000 and hits["negated"].any()
    cases = [
        (hits, sents, lex, False),
        (hits, sents, lex, True),
        (hits, sents, None, False),
        (hits, sents, lex.select("evaluative"), False),
        (hits[hits["lexicon"] == "evaluative"], sents.drop(columns=["n_words"]), None, False),
        # hits of documents that are not in the sentence table are left out
        (hits, sents[sents["doc_id"].isin(sents["doc_id"].unique()[:7])], lex, False),
        (hits.iloc[:0], sents, lex, False),
        (hits.iloc[:0], sents.iloc[:0], lex, False),
        (hits.iloc[:0], sents.iloc[:0], None, False),
    ]
    for h, s, lx, inc in cases:
        got = F.article_frame_rates(h, s, lx, include_negated=inc)
        pd.testing.assert_frame_equal(got, reference_rates(h, s, lx, inc), check_exact=True)
