"""Bias audit of the sentence sentiment scorers.

* :func:`eec_sentences` builds the Equity Evaluation Corpus (Kiritchenko & Mohammad 2018) from the
  templates, names, noun phrases and emotion words in
  ``REFERENCE_DIR / "equity_evaluation_corpus_design.md"`` (the original data may not be
  redistributed): 8,640 sentences.
* :func:`eec_gaps` measures the mean score difference between sentences that differ only in the
  person (female vs male, African-American vs European-American names), with seeded bootstrap
  95% confidence intervals over template cells.
* :func:`proper_name_audit` lists VADER lexicon words that occur mostly inside proper names in a
  corpus and how much they move article scores.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from . import paths

EEC_FILE = "equity_evaluation_corpus_design.md"
EEC_N_SENTENCES = 8_640
_GROUPS = {
    "AA F": ("female", "African-American"),
    "AA M": ("male", "African-American"),
    "EA F": ("female", "European-American"),
    "EA M": ("male", "European-American"),
}


def _eec_spec() -> dict:
    """Templates, persons and emotion words parsed from the design notes."""
    text = (paths.REFERENCE_DIR / EEC_FILE).read_text(encoding="utf-8")
    tpl_block = text.split("Templates", 1)[1].split("<person> (Tables", 1)[0]
    templates = {
        int(m.group(1)): (m.group(2).strip(), int(m.group(3).replace(",", "")))
        for m in re.finditer(r"(?m)(?:^|\s)(\d{1,2}) (.+?[.])\s*\(([\d,]+)\)", tpl_block)
    }
    names = {}
    for key in _GROUPS:
        m = re.search(rf"(?m)^\s*{key}: (.+)$", text)
        names[key] = m.group(1).split()
    np_block = re.search(r"NP F/M: (.+?)\nEmotion", text, re.S).group(1)
    pairs = [p.strip() for p in " ".join(np_block.split()).split(",") if p.strip()]
    noun_phrases = []
    for p in pairs:
        fem, male = p.split("-")
        noun_phrases.append((fem.strip(), male.strip()))
    emotions: dict[str, dict[str, list[str]]] = {}
    for kind in ("state", "situation"):
        m = re.search(rf"{kind}: (.+?)(?:\n\s*situation:|\n[A-Z]|\Z)", text, re.S)
        emotions[kind] = {}
        for chunk in " ".join(m.group(1).split()).split("|"):
            words = chunk.split()
            emotions[kind][words[0]] = words[1:]
    return {
        "templates": templates,
        "names": names,
        "noun_phrases": noun_phrases,
        "emotions": emotions,
    }


def _persons(spec: dict) -> list[dict]:
    out = []
    for key, (gender, race) in _GROUPS.items():
        for name in spec["names"][key]:
            out.append(
                {
                    "subject": name,
                    "object": name,
                    "gender": gender,
                    "race": race,
                    "person_type": "name",
                    "pair": None,
                }
            )
    for k, (fem, male) in enumerate(spec["noun_phrases"]):
        for gender, np_ in (("female", fem), ("male", male)):
            subj, _, obj = np_.partition("/")
            out.append(
                {
                    "subject": subj,
                    "object": obj or subj,
                    "gender": gender,
                    "race": None,
                    "person_type": "noun_phrase",
                    "pair": k,
                }
            )
    return out


def _fill(template: str, person: dict, word: str | None) -> str:
    s = template
    if s.startswith("<Person>"):
        subj = person["subject"]
        s = subj[:1].upper() + subj[1:] + s[len("<Person>") :]
    s = s.replace("<person>", person["object"])
    s = s.replace("himself/herself", "herself" if person["gender"] == "female" else "himself")
    if word is not None:
        s = s.replace("a/an <", ("an" if word[0] in "aeiou" else "a") + " <")
        s = re.sub(r"<emotional (?:state|situation) word>", word, s)
    return s


def eec_sentences() -> pd.DataFrame:
    """The 8,640 EEC sentences: ``template_id, template, sentence, person, gender, race,
    person_type, pair, emotion, word`` (``race``/``pair`` only for names/noun phrases; ``emotion``
    and ``word`` empty for the four neutral templates). Raises if the count is not 8,640."""
    spec = _eec_spec()
    persons = _persons(spec)
    rows = []
    for tid, (template, expected) in sorted(spec["templates"].items()):
        kind = (
            "state" if "state word" in template else "situation" if "situation" in template else ""
        )
        words = (
            [(emo, w) for emo, ws in spec["emotions"][kind].items() for w in ws]
            if kind
            else [(None, None)]
        )
        n0 = len(rows)
        for p in persons:
            for emo, w in words:
                rows.append(
                    {
                        "template_id": tid,
                        "template": template,
                        "sentence": _fill(template, p, w),
                        "person": p["subject"]
                        if p["person_type"] == "name"
                        else f"{p['subject']}/{p['object']}"
                        if p["subject"] != p["object"]
                        else p["subject"],
                        "gender": p["gender"],
                        "race": p["race"],
                        "person_type": p["person_type"],
                        "pair": p["pair"],
                        "emotion": emo,
                        "word": w,
                    }
                )
        if len(rows) - n0 != expected:
            raise ValueError(f"EEC template {tid}: built {len(rows) - n0}, spec says {expected}")
    df = pd.DataFrame(rows)
    if len(df) != EEC_N_SENTENCES:
        raise ValueError(f"EEC: built {len(df)} sentences, expected {EEC_N_SENTENCES}")
    return df


def _scores(scorer: str | Callable, texts: Sequence[str]) -> np.ndarray:
    if isinstance(scorer, str):
        from .sentiment import polarity

        return polarity(list(texts), method=scorer)["compound"].to_numpy(dtype=float)
    out = scorer(list(texts))
    if isinstance(out, pd.DataFrame):
        out = out["compound"]
    return np.asarray(out, dtype=float)


def _cell_gaps(df: pd.DataFrame, mask, by: str, a: str, b: str, cell: list[str]) -> pd.Series:
    sub = df[mask]
    means = sub.groupby([*cell, by], dropna=False)["score"].mean().unstack(by)
    return (means[a] - means[b]).dropna()


def eec_gaps(
    scorer: str | Callable = "news",
    n_boot: int = 2_000,
    seed: int = 0,
    templates: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Mean score gap per identity pair on the EEC, with seeded bootstrap 95% CIs.

    ``scorer`` is a method name of :func:`analysis.sentiment.polarity` or a callable mapping a
    list of texts to compound scores (array or DataFrame with ``compound``). Comparisons:
    ``gender_names`` (female - male names, cells = template x word x race),
    ``gender_noun_phrases`` (she - he, my sister - my brother ...: cells = template x word x pair),
    ``race_names`` (African-American - European-American names, cells = template x word x
    gender). Per comparison: ``gap`` (mean of cell differences), ``ci_low/ci_high`` (percentile
    bootstrap over cells), ``mean_abs_gap`` (mean absolute cell difference), ``max_abs_cell_gap``,
    ``share_cells_different`` (cells with |difference| > 1e-9), ``n_cells``. ``templates``
    restricts the audit to some template ids (for quick checks; the full audit uses all 11).
    """
    df = eec_sentences()
    if templates is not None:
        df = df[df["template_id"].isin(list(templates))].reset_index(drop=True)
    df["score"] = _scores(scorer, df["sentence"].tolist())
    df["race"] = df["race"].fillna("none")
    df["pair"] = df["pair"].fillna(-1)
    df["word"] = df["word"].fillna("")
    names = df["person_type"] == "name"
    specs = [
        ("gender_names", names, "gender", "female", "male", ["template_id", "word", "race"]),
        (
            "gender_noun_phrases",
            ~names,
            "gender",
            "female",
            "male",
            ["template_id", "word", "pair"],
        ),
        (
            "race_names",
            names,
            "race",
            "African-American",
            "European-American",
            ["template_id", "word", "gender"],
        ),
    ]
    rng = np.random.default_rng(seed)
    rows = []
    for name, mask, by, a, b, cell in specs:
        d = _cell_gaps(df, mask, by, a, b, cell).to_numpy(dtype=float)
        boot = rng.choice(d, size=(n_boot, len(d)), replace=True).mean(axis=1)
        rows.append(
            {
                "comparison": name,
                "group_a": a,
                "group_b": b,
                "mean_a": float(df.loc[mask & (df[by] == a), "score"].mean()),
                "mean_b": float(df.loc[mask & (df[by] == b), "score"].mean()),
                "gap": float(d.mean()),
                "ci_low": float(np.quantile(boot, 0.025)),
                "ci_high": float(np.quantile(boot, 0.975)),
                "mean_abs_gap": float(np.abs(d).mean()),
                "max_abs_cell_gap": float(np.abs(d).max()),
                "share_cells_different": float((np.abs(d) > 1e-9).mean()),
                "n_cells": int(len(d)),
            }
        )
    out = pd.DataFrame(rows)
    out["scorer"] = scorer if isinstance(scorer, str) else getattr(scorer, "__name__", "custom")
    out.attrs.update(seed=seed, n_boot=n_boot, n_sentences=len(df))
    return out


def proper_name_audit(
    articles: pd.DataFrame, min_occurrences: int = 5, min_share: float = 0.5
) -> pd.DataFrame:
    """VADER lexicon words that occur mostly inside proper names in ``articles``.

    ``articles`` has ``doc_id, title, text``. Sentences come from
    :func:`analysis.text.sentence_table`; a lexicon word occurrence is "in a name" when the
    capitalisation-context rule or the curated list marks it (see
    :func:`analysis.sentiment.neutralised_tokens`). For every word with at least
    ``min_occurrences`` occurrences of which at least ``min_share`` are in names: counts, the
    commonest name it occurs in, whether the curated list covers it, and its effect on article
    scores: plain VADER sentence compounds are recomputed with only that word's in-name
    occurrences neutralised, and the change of each article's mean compound is averaged
    (``mean_abs_change``: over all articles; ``mean_abs_change_affected``: over articles where it
    occurs in a name). Sorted by ``mean_abs_change``.
    """
    from .sentiment import _masked_text, neutralised_tokens, vader_polarity
    from .text import sentence_table

    sents = sentence_table(articles)
    n_per_doc = sents.groupby("doc_id").size()
    n_docs = len(n_per_doc)
    total: Counter = Counter()
    in_name: Counter = Counter()
    listed: Counter = Counter()
    examples: dict[str, Counter] = defaultdict(Counter)
    where: dict[str, list] = defaultdict(list)  # word -> [(row, token records, indices)]
    for row, text in enumerate(sents["text"].tolist()):
        toks = neutralised_tokens(text)
        hits: dict[str, list[int]] = defaultdict(list)
        for j, r in enumerate(toks):
            if not r["in_lexicon"]:
                continue
            w = r["item"].lower()
            total[w] += 1
            if r["name"] or (r["neutralised"] and "capitalised" in (r["reason"] or "")):
                in_name[w] += 1
                if (r["reason"] or "").startswith(("phrase", "name")):
                    listed[w] += 1
                lo, hi = j, j
                while lo > 0 and toks[lo - 1]["capitalised"] and not toks[lo - 1]["initial"]:
                    lo -= 1
                while hi + 1 < len(toks) and toks[hi + 1]["capitalised"]:
                    hi += 1
                examples[w][" ".join(t["token"].strip(",.;:") for t in toks[lo : hi + 1])] += 1
                hits[w].append(j)
        for w, js in hits.items():
            where[w].append((row, toks, js))
    words = [w for w in total if total[w] >= min_occurrences and in_name[w] / total[w] >= min_share]
    from .sentiment import _analyzer

    lex = _analyzer().lexicon
    texts = sents["text"].tolist()
    doc_of = sents["doc_id"].to_numpy()
    rows = []
    for w in words:
        idx = [row for row, _, _ in where[w]]
        masked = []
        for row, toks, js in where[w]:
            only = [dict(t, neutralised=(k in js)) for k, t in enumerate(toks)]
            masked.append(_masked_text(texts[row], only))
        before = vader_polarity([texts[i] for i in idx])["compound"].to_numpy()
        after = vader_polarity(masked)["compound"].to_numpy()
        delta = pd.Series(after - before).groupby(doc_of[idx]).sum()
        change = (delta / n_per_doc.reindex(delta.index)).abs()
        rows.append(
            {
                "word": w,
                "lexicon_valence": lex.get(w),
                "n_occurrences": total[w],
                "n_in_names": in_name[w],
                "share_in_names": in_name[w] / total[w],
                "n_listed": listed[w],
                "example_name": examples[w].most_common(1)[0][0] if examples[w] else "",
                "n_articles_affected": int(len(change)),
                "mean_abs_change": float(change.sum() / n_docs),
                "mean_abs_change_affected": float(change.mean()),
            }
        )
    cols = [
        "word",
        "lexicon_valence",
        "n_occurrences",
        "n_in_names",
        "share_in_names",
        "n_listed",
        "example_name",
        "n_articles_affected",
        "mean_abs_change",
        "mean_abs_change_affected",
    ]
    out = pd.DataFrame(rows, columns=cols).sort_values(
        ["mean_abs_change", "word"], ascending=[False, True]
    )
    return out.reset_index(drop=True)
