"""Human agreement on the Narrative Frames Corpus: labels, Krippendorff's alpha, the human ceiling.

Data: ``VALIDATION_DIR / "narrative_frames"`` (Frermann et al., ACL 2023; development split of 296
climate-change articles, five generic frames after Semetko & Valkenburg 2000).

Loading (:func:`load_narrative_frames`)
    ``articles_metadata.tsv`` holds the aggregated frame labels as ``True``/``False``. Two rows are
    malformed upstream and are repaired, never dropped; :func:`narrative_frames_load_report` lists
    what was done:

    * article 405: the five label fields are empty (the text ends with an unterminated link
      sentence "The entire report can be viewed at"). Its labels are recovered from
      ``role_and_frame_annotations.tsv``, which repeats the article-level frame labels and agrees
      with ``articles_metadata.tsv`` on every frame of every other article (checked at load time;
      a disagreement raises). The text is kept as given.
    * article 716: the EC field reads ``False)``; the stray ``)`` is stripped (value ``False``,
      which the role file confirms).

Annotator labels (:func:`annotator_frame_labels`)
    ``full_annotations.json`` has each annotator's yes/no answer per question (``-1`` = did not
    label). The rule that turns question answers into a frame label was established by checking
    which rule reproduces the released aggregated labels (see :func:`label_rule_check`):

    * a question is "yes" for a group of annotators when more than half of them answered yes
      (2 of 2, 2 of 3: exactly the ``yes``/``no``/``NO AGREEMENT`` aggregation stored in the
      JSON, where ``NO AGREEMENT`` counts as not yes);
    * a frame is present when at least ``FRAME_RULES[frame].min_yes`` of its questions are yes:
      conflict 2 of CO1-CO3, economic 2 of EC1-EC3, human interest 2 of HI1/HI2/HI5, moral 1 of
      MO1/MO2, resolution 2 of 2.
    * The README's resolution questions "RE1, RE5" are the JSON keys ``re2`` ("does the story
      suggest a solution", AR2 of the codebook) and ``re6`` ("some entity could alleviate the
      problem", AR6): the JSON keeps the codebook's screening question AR1 as ``re1`` (answered
      yes for every article) and adds ``re1a``. With ``re1``/``re5`` the aggregated resolution
      label is reproduced for only ~60 % of articles; with ``re2``/``re6`` for 100 %.

    One annotator's own frame label applies the same frame rule to that annotator's answers.

Agreement and ceiling
    :func:`frame_alpha` is Krippendorff's alpha (nominal, ``krippendorff`` package) per frame over
    the annotators' frame labels. :func:`human_ceiling` scores each annotator against the
    aggregate of the *other* annotators of the same article (leave-one-out, built with the rule
    above), giving an F1 that is comparable to a model's F1 against the aggregate.

Soft labels
    :func:`question_yes_share` (share of an article's annotators answering yes, per question) and
    :func:`annotator_soft_labels` (share of annotators whose own frame label is on, and share
    agreeing with the released label) feed the soft-label experiments of
    ``benchmarks/frame_experiments.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from analysis.paths import VALIDATION_DIR
from analysis.schema import CorpusError, LoadReport, LoadWarning

NARRATIVE_FRAMES_DIR = VALIDATION_DIR / "narrative_frames"

FRAMES: tuple[str, ...] = ("conflict", "economic", "human_interest", "moral", "resolution")
FRAME_COLUMNS: tuple[str, ...] = tuple(f"frame_{f}" for f in FRAMES)
FRAME_CODES: dict[str, str] = {
    "conflict": "CO",
    "economic": "EC",
    "human_interest": "HI",
    "moral": "MO",
    "resolution": "RE",
}
EXPECTED_ARTICLES = 296


@dataclass(frozen=True)
class FrameRule:
    """Which JSON question keys define a frame and how many must be "yes"."""

    questions: tuple[str, ...]
    min_yes: int


FRAME_RULES: dict[str, FrameRule] = {
    "conflict": FrameRule(("co1", "co2", "co3"), 2),
    "economic": FrameRule(("ec1", "ec2", "ec3"), 2),
    "human_interest": FrameRule(("hi1", "hi2", "hi5"), 2),
    "moral": FrameRule(("mo1", "mo2"), 1),
    "resolution": FrameRule(("re2", "re6"), 2),
}

# Alternative, README-literal resolution questions, kept only so label_rule_check can show why
# they are not used.
README_RESOLUTION_QUESTIONS: tuple[str, ...] = ("re1", "re5")

_TRUE, _FALSE = "True", "False"


def _parse_flag(value: object) -> tuple[int | None, str]:
    """``(label, note)`` for a raw ``True``/``False`` field; ``None`` when empty/missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None, "empty"
    s = str(value).strip()
    if s == "":
        return None, "empty"
    if s in (_TRUE, _FALSE):
        return int(s == _TRUE), ""
    cleaned = s.strip("()\"' ")
    if cleaned in (_TRUE, _FALSE):
        return int(cleaned == _TRUE), f"stray characters stripped from {s!r}"
    raise ValueError(f"not a True/False label: {s!r}")


def _read_narrative_frames() -> tuple[pd.DataFrame, LoadReport]:
    meta_path = NARRATIVE_FRAMES_DIR / "articles_metadata.tsv"
    role_path = NARRATIVE_FRAMES_DIR / "role_and_frame_annotations.tsv"
    for p in (meta_path, role_path):
        if not p.exists():
            raise CorpusError(p, "Narrative Frames file not found")
    raw = pd.read_csv(meta_path, sep="\t", dtype=str, keep_default_na=False)
    roles = pd.read_csv(role_path, sep="\t", dtype=str, keep_default_na=False)
    codes = list(FRAME_CODES.values())
    report = LoadReport(source=str(meta_path), reader="narrative_frames", read=len(raw))
    report.reader_reason = "tab-separated, quoted text; labels True/False"

    role_labels: dict[str, dict[str, int]] = {}
    for doc_id, grp in roles.groupby("ID", sort=False):
        entry = {}
        for code in codes:
            vals = {_parse_flag(v)[0] for v in grp[code]} - {None}
            if len(vals) != 1:
                raise CorpusError(role_path, f"article {doc_id}: inconsistent {code} labels")
            entry[code] = vals.pop()
        role_labels[str(doc_id)] = entry

    rows = []
    for i, rec in raw.iterrows():
        doc_id = str(rec["ID"]).strip()
        pos = f"line {int(i) + 2}"
        labels: dict[str, int] = {}
        source = "articles_metadata"
        for code in codes:
            try:
                lab, note = _parse_flag(rec[code])
            except ValueError as err:
                raise CorpusError(
                    meta_path, f"{pos}, article {doc_id}, column {code}: {err}"
                ) from err
            if note and lab is not None:
                report.warnings.append(LoadWarning(pos, code, note, doc_id))
            if lab is None:
                if doc_id not in role_labels:
                    raise CorpusError(meta_path, f"{pos}: article {doc_id} has no {code} label")
                lab = role_labels[doc_id][code]
                source = "role_and_frame_annotations"
            labels[code] = lab
        if source != "articles_metadata":
            report.warnings.append(
                LoadWarning(
                    pos,
                    "labels",
                    "empty label fields; labels recovered from role_and_frame_annotations.tsv "
                    f"({', '.join(f'{c}={labels[c]}' for c in codes)})",
                    doc_id,
                )
            )
        elif doc_id in role_labels:
            bad = [c for c in codes if role_labels[doc_id][c] != labels[c]]
            if bad:
                raise CorpusError(
                    meta_path, f"article {doc_id}: labels {bad} disagree with {role_path.name}"
                )
        row = {
            "doc_id": doc_id,
            "source": rec["source"],
            "mbfc": rec["mbfc"],
            "date": pd.to_datetime(rec["date"], errors="coerce"),
            "text": rec["text"],
            "label_source": source,
        }
        for frame, code in FRAME_CODES.items():
            row[f"frame_{frame}"] = labels[code]
        rows.append(row)
    df = pd.DataFrame(rows)
    df = df.astype({c: "int64" for c in FRAME_COLUMNS})
    if df["doc_id"].duplicated().any():
        raise CorpusError(meta_path, "duplicate article IDs")
    report.kept = len(df)
    report.expected = EXPECTED_ARTICLES
    report.columns_mapped = {"doc_id": "ID", "text": "text"}
    report.notes.append(
        f"labels cross-checked against {role_path.name}: all {len(df)} articles agree on all "
        f"{len(codes)} frames"
    )
    return df, report.check()


def load_narrative_frames() -> pd.DataFrame:
    """One row per article: ``doc_id, source, mbfc, date, text, label_source`` + ``frame_*`` 0/1.

    Malformed upstream rows are repaired (see module docstring); nothing is dropped.
    ``label_source`` says where an article's labels came from.
    """
    return _read_narrative_frames()[0].copy()


def narrative_frames_load_report() -> LoadReport:
    """The :class:`LoadReport` of :func:`load_narrative_frames` (read/kept, repaired rows)."""
    return _read_narrative_frames()[1]


@lru_cache(maxsize=1)
def _annotations() -> dict:
    path = NARRATIVE_FRAMES_DIR / "full_annotations.json"
    if not path.exists():
        raise CorpusError(path, "Narrative Frames annotation file not found")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def _answers_table() -> pd.DataFrame:
    """Cached parse of the JSON; :func:`annotator_answers` hands out copies."""
    rows = []
    for doc_id, rec in _annotations().items():
        for q, val in rec.items():
            if q.startswith("_"):
                continue
            agg, answers = val
            for k, ans in enumerate(answers, start=1):
                if ans == -1:
                    continue
                rows.append((str(doc_id), k, q, str(ans), str(agg)))
    return pd.DataFrame(rows, columns=["doc_id", "annotator", "question", "answer", "aggregated"])


def annotator_answers() -> pd.DataFrame:
    """Long table ``doc_id, annotator, question, answer, aggregated`` of every given answer.

    ``annotator`` is 1-4 (position in the JSON list); answers of ``-1`` (did not label) are left
    out. ``answer`` is the raw string ("yes", "no", "n/a: problem is resolved").
    """
    return _answers_table().copy()


def _frame_from_yes(yes: pd.DataFrame, questions: tuple[str, ...], min_yes: int) -> pd.Series:
    return (yes[list(questions)].sum(axis=1) >= min_yes).astype(int)


def _yes_wide(answers: pd.DataFrame) -> pd.DataFrame:
    """(doc_id, annotator) x question table of 1 = yes, 0 = other answer."""
    a = answers.assign(yes=(answers["answer"] == "yes").astype(int))
    return a.pivot_table(index=["doc_id", "annotator"], columns="question", values="yes")


def annotator_frame_labels() -> pd.DataFrame:
    """Each annotator's frame labels: ``doc_id, annotator, frame_<x>...`` (0/1).

    Rule (module docstring): a frame is present for an annotator when at least
    ``FRAME_RULES[frame].min_yes`` of its questions were answered "yes" by that annotator.
    """
    wide = _yes_wide(annotator_answers())
    out = pd.DataFrame(index=wide.index)
    for frame, rule in FRAME_RULES.items():
        out[f"frame_{frame}"] = _frame_from_yes(wide, rule.questions, rule.min_yes)
    return out.reset_index()


def _group_question_majority(answers: pd.DataFrame) -> pd.DataFrame:
    """doc_id x question: 1 when more than half of the given annotators answered yes."""
    a = answers.assign(yes=(answers["answer"] == "yes").astype(int))
    g = a.groupby(["doc_id", "question"])["yes"].agg(["sum", "count"])
    maj = (2 * g["sum"] > g["count"]).astype(int)
    return maj.unstack("question")


def aggregate_frame_labels(answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Aggregate labels rebuilt from annotator answers: question majority, then the frame rule."""
    answers = annotator_answers() if answers is None else answers
    maj = _group_question_majority(answers)
    out = pd.DataFrame(index=maj.index)
    for frame, rule in FRAME_RULES.items():
        out[f"frame_{frame}"] = _frame_from_yes(maj, rule.questions, rule.min_yes)
    return out


def label_rule_check() -> pd.DataFrame:
    """How well annotator-derived labels reproduce the released labels, per frame.

    Columns: ``frame, n_articles, match_question_majority`` (the documented rule),
    ``match_json_aggregate`` (the frame rule applied to the JSON's own aggregated answers),
    ``match_annotator_majority`` (alternative: majority vote over annotators' own frame labels,
    ties -> 0) and ``match_readme_questions`` (resolution only: README-literal re1/re5, either yes).
    """
    gold = load_narrative_frames().set_index("doc_id")
    rebuilt = aggregate_frame_labels().reindex(gold.index)
    ann = annotator_frame_labels()
    ann_maj = ann.groupby("doc_id")[list(FRAME_COLUMNS)].agg(lambda s: int(2 * s.sum() > s.count()))
    ann_maj = ann_maj.reindex(gold.index)
    recs = _annotations()
    json_yes = pd.DataFrame(
        {
            doc: {q: int(v[0] == "yes") for q, v in rec.items() if not q.startswith("_")}
            for doc, rec in recs.items()
        }
    ).T.reindex(gold.index)
    rows = []
    for frame, rule in FRAME_RULES.items():
        col = f"frame_{frame}"
        json_lab = _frame_from_yes(json_yes, rule.questions, rule.min_yes)
        readme = np.nan
        if frame == "resolution":
            readme = float(
                (_frame_from_yes(json_yes, README_RESOLUTION_QUESTIONS, 1) == gold[col]).mean()
            )
        rows.append(
            {
                "frame": frame,
                "n_articles": int(gold[col].notna().sum()),
                "match_question_majority": float((rebuilt[col] == gold[col]).mean()),
                "match_json_aggregate": float((json_lab == gold[col]).mean()),
                "match_annotator_majority": float((ann_maj[col] == gold[col]).mean()),
                "match_readme_questions": readme,
            }
        )
    return pd.DataFrame(rows)


def frame_alpha() -> pd.DataFrame:
    """Krippendorff's alpha (nominal) per frame over the annotators' frame labels.

    Columns: ``frame, alpha, n_articles, n_annotators, n_labels, positive_rate``. Annotators are
    the four JSON positions; an annotator who did not label an article is missing for it.
    """
    ann = annotator_frame_labels()
    rows = []
    for frame in FRAMES:
        col = f"frame_{frame}"
        mat = ann.pivot(index="annotator", columns="doc_id", values=col).astype(float)
        alpha = krippendorff.alpha(reliability_data=mat.to_numpy(), level_of_measurement="nominal")
        rows.append(
            {
                "frame": frame,
                "alpha": float(alpha),
                "n_articles": int(mat.shape[1]),
                "n_annotators": int(mat.shape[0]),
                "n_labels": int(mat.notna().sum().sum()),
                "positive_rate": float(np.nanmean(mat.to_numpy())),
            }
        )
    return pd.DataFrame(rows)


def annotator_loo_pairs() -> pd.DataFrame:
    """Long table ``annotator, doc_id, frame, reference, label`` for leave-one-out scoring.

    For every article an annotator labelled, ``reference`` is rebuilt from the *other*
    annotators' answers with the aggregation rule (question majority, then frame rule) and
    ``label`` is the annotator's own frame label.
    """
    answers = annotator_answers()
    own = annotator_frame_labels().set_index(["doc_id", "annotator"])
    parts = []
    for k in sorted(answers["annotator"].unique()):
        docs = answers.loc[answers["annotator"] == k, "doc_id"].unique()
        others = answers[answers["doc_id"].isin(docs) & (answers["annotator"] != k)]
        ref = aggregate_frame_labels(others)
        mine = own.xs(k, level="annotator").reindex(ref.index)
        for frame in FRAMES:
            col = f"frame_{frame}"
            parts.append(
                pd.DataFrame(
                    {
                        "annotator": int(k),
                        "doc_id": ref.index.to_numpy(),
                        "frame": frame,
                        "reference": ref[col].to_numpy(),
                        "label": mine[col].to_numpy(),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def _f1(g: pd.DataFrame) -> float:
    return float(f1_score(g["reference"], g["label"], zero_division=0))


def annotator_f1() -> pd.DataFrame:
    """Leave-one-out F1 of each annotator against the aggregate of the other annotators.

    Columns: ``annotator, frame, n_articles, n_positive_reference, f1``.
    """
    pairs = annotator_loo_pairs()
    rows = []
    for (k, frame), g in pairs.groupby(["annotator", "frame"], sort=False):
        rows.append(
            {
                "annotator": int(k),
                "frame": frame,
                "n_articles": len(g),
                "n_positive_reference": int(g["reference"].sum()),
                "f1": _f1(g),
            }
        )
    return pd.DataFrame(rows)


def human_ceiling() -> pd.DataFrame:
    """Human ceiling per frame, comparable to a model's F1 against the aggregated labels.

    Columns: ``frame, f1_pooled`` (F1 over all annotator-article pairs, each annotator against the
    others, leave-one-out), ``f1_mean_annotator`` (mean of per-annotator F1), ``n_pairs``.
    """
    pairs = annotator_loo_pairs()
    per = annotator_f1()
    rows = []
    for frame in FRAMES:
        g = pairs[pairs["frame"] == frame]
        rows.append(
            {
                "frame": frame,
                "f1_pooled": _f1(g),
                "f1_mean_annotator": float(per.loc[per["frame"] == frame, "f1"].mean()),
                "n_pairs": len(g),
            }
        )
    return pd.DataFrame(rows)


def question_yes_share() -> pd.DataFrame:
    """doc_id x question: share of the article's annotators who answered "yes" (0-1).

    The soft version of the question majority: a question is "yes" for the group exactly when
    its share exceeds 0.5 (:func:`aggregate_frame_labels`). Questions an annotator did not
    answer are left out of that article's share.
    """
    a = annotator_answers()
    a = a.assign(yes=(a["answer"] == "yes").astype(float))
    return a.groupby(["doc_id", "question"])["yes"].mean().unstack("question")


def annotator_soft_labels(gold: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per article: how many annotators, and per frame the share of them whose own label is on.

    Columns: ``doc_id, n_annotators``, ``frame_<x>_share`` (share of annotators whose own frame
    label, :func:`annotator_frame_labels`, is 1) and ``frame_<x>_agreement`` (share whose own
    label equals the released aggregated label of ``gold``, default
    :func:`load_narrative_frames`). Rows in ``gold`` order.
    """
    gold = load_narrative_frames() if gold is None else gold
    ids = gold["doc_id"].astype(str)
    ann = annotator_frame_labels()
    grp = ann.groupby("doc_id")
    out = pd.DataFrame({"doc_id": ids.to_numpy()})
    out["n_annotators"] = grp.size().reindex(ids).to_numpy()
    ref = gold.set_index(ids)[list(FRAME_COLUMNS)].astype(int)
    for col in FRAME_COLUMNS:
        out[f"{col}_share"] = grp[col].mean().reindex(ids).to_numpy()
        same = ann[col].to_numpy() == ref.loc[ann["doc_id"], col].to_numpy()
        agree = pd.Series(same.astype(float), index=ann["doc_id"]).groupby(level=0).mean()
        out[f"{col}_agreement"] = agree.reindex(ids).to_numpy()
    return out
