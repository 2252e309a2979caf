"""Inductive frames: NMF topics, their co-occurrence network and its communities.

In the spirit of Walter & Ophir's Analysis of Topic Model Networks (ANTMN; "News frame analysis:
an inductive mixed-method computational approach", Communication Methods and Measures, 2019):
topics are fitted on the articles, topics that tend to appear in the same articles are linked, and
densely linked groups of topics (network communities) are read as *candidate* frames that an
analyst must still interpret and validate. Steps and choices:

1. **Topics** - scikit-learn ``TfidfVectorizer`` (``analysis.keyness.TOKEN_PATTERN``, English stop
   words removed, ``sublinear_tf``, vocabulary capped: ``max_features=5000, min_df=5,
   max_df=0.5``) and ``NMF`` (``init="nndsvda"``, fixed ``random_state``). NMF was chosen over LDA
   because it is deterministic given the seed, fast on ~1,000 articles (seconds) and gives
   readable topics on short news corpora. ``DEFAULT_N_TOPICS = 20``: enough to separate the
   study's ten subtopics and their recurring sub-stories, few enough to read every topic. Topics
   are renumbered by prevalence (topic 0 is the most prevalent) so their order does not depend on
   NMF's arbitrary component order. BLAS is limited to one thread during the fit so reruns give
   bit-identical output.
2. **Network** - nodes are topics; the edge weight between two topics is the Pearson correlation
   of their *shares* (document-topic weights normalised to sum to 1 per article) across
   articles; only positive correlations become edges (ANTMN keeps positive edges only).
3. **Communities** - ``networkx.community.louvain_communities`` (weighted, fixed ``seed``) by
   default or ``greedy_modularity_communities`` (deterministic); method, seed, resolution and
   modularity are recorded in the output's ``attrs``. Frames are numbered by total prevalence
   and labelled by the top terms of their strongest topics.
4. **Documents** - an article's frame is the community holding the largest sum of its topic
   shares, provided that sum is at least ``min_share`` (default 0.3); otherwise ``"no frame"``.

Running the same code on the same articles twice gives identical tables and labels
(``tests/test_topics.py`` checks it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from .compare import UNKNOWN_PERIOD, add_period
from .keyness import TOKEN_PATTERN
from .plots import OKABE_ITO, RATING_COLORS, RATING_ORDER, n_label, use_style

DEFAULT_N_TOPICS = 20
NO_FRAME = "no frame"
VECTORIZER_DEFAULTS = {"max_features": 5000, "min_df": 5, "max_df": 0.5}


@dataclass
class TopicModel:
    """A fitted NMF topic model and everything needed to read it.

    ``doc_topic`` is the (articles x topics) NMF weight matrix, rows aligned with ``doc_ids``;
    ``topic_word`` the (topics x vocabulary) matrix; ``topic_terms`` a long table
    ``topic, rank, term, weight`` of each topic's top terms; ``labels[t]`` is
    ``"T01 term, term, term"``; ``params`` records every setting of the fit.
    """

    doc_ids: list[str]
    doc_topic: np.ndarray
    topic_word: np.ndarray
    vocab: np.ndarray
    topic_terms: pd.DataFrame
    labels: list[str]
    params: dict = field(default_factory=dict)

    @property
    def n_topics(self) -> int:
        return self.doc_topic.shape[1]

    def doc_topic_shares(self) -> np.ndarray:
        """Document-topic weights normalised to sum to 1 per article (0 rows stay 0)."""
        totals = self.doc_topic.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(totals > 0, self.doc_topic / totals, 0.0)

    def prevalence(self) -> np.ndarray:
        """Mean topic share over articles (sums to 1 when every article has some weight)."""
        return self.doc_topic_shares().mean(axis=0)

    def doc_topic_frame(self, shares: bool = True) -> pd.DataFrame:
        """``doc_id`` plus one column per topic label (shares, or raw weights)."""
        mat = self.doc_topic_shares() if shares else self.doc_topic
        out = pd.DataFrame(mat, columns=self.labels)
        out.insert(0, "doc_id", self.doc_ids)
        return out

    def topic_table(self) -> pd.DataFrame:
        """One row per topic: ``topic``, ``label``, ``prevalence``, ``top_terms``."""
        top = self.topic_terms.groupby("topic")["term"].apply(lambda s: ", ".join(s))
        return pd.DataFrame(
            {
                "topic": np.arange(self.n_topics),
                "label": self.labels,
                "prevalence": self.prevalence(),
                "top_terms": [top.get(t, "") for t in range(self.n_topics)],
            }
        )


def _topic_labels(top_terms: list[list[str]], n_label_terms: int) -> list[str]:
    return [
        f"T{t + 1:02d} " + ", ".join(terms[:n_label_terms]) for t, terms in enumerate(top_terms)
    ]


def fit_topics(
    texts: Sequence[str],
    n_topics: int = DEFAULT_N_TOPICS,
    seed: int = 0,
    doc_ids: Sequence | None = None,
    n_top_terms: int = 10,
    n_label_terms: int = 3,
    max_iter: int = 500,
    **vectorizer_options,
) -> TopicModel:
    """Fit TF-IDF + NMF topics on ``texts`` (see the module docstring for every choice).

    ``doc_ids`` default to the index of ``texts`` when it is a Series, else ``0..n-1``.
    ``vectorizer_options`` override ``VECTORIZER_DEFAULTS`` (``max_features``, ``min_df``,
    ``max_df``). Deterministic for a given ``seed``.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer
    from threadpoolctl import threadpool_limits

    if doc_ids is None:
        doc_ids = list(texts.index) if isinstance(texts, pd.Series) else range(len(texts))
    doc_ids = [str(d) for d in doc_ids]
    docs = ["" if not isinstance(t, str) else t for t in texts]
    if len(docs) != len(doc_ids):
        raise ValueError(f"{len(docs)} texts but {len(doc_ids)} doc_ids")
    vopts = {**VECTORIZER_DEFAULTS, **vectorizer_options}
    vec = TfidfVectorizer(
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        stop_words="english",
        sublinear_tf=True,
        dtype=np.float64,
        **vopts,
    )
    with threadpool_limits(limits=1):
        x = vec.fit_transform(docs)
        nmf = NMF(n_components=n_topics, init="nndsvda", random_state=seed, max_iter=max_iter)
        w = nmf.fit_transform(x)
    h = nmf.components_
    vocab = vec.get_feature_names_out()
    # renumber topics by prevalence (mean share), ties by index, so topic 0 is the largest
    totals = w.sum(axis=1, keepdims=True)
    shares = np.divide(w, totals, out=np.zeros_like(w), where=totals > 0)
    order = np.lexsort((np.arange(n_topics), -shares.mean(axis=0)))
    w, h = w[:, order], h[order]
    rows, tops = [], []
    for t in range(n_topics):
        idx = np.lexsort((vocab, -h[t]))[:n_top_terms]  # weight desc, then term
        tops.append([str(vocab[i]) for i in idx])
        rows += [
            {"topic": t, "rank": r + 1, "term": str(vocab[i]), "weight": float(h[t, i])}
            for r, i in enumerate(idx)
        ]
    params = {
        "method": "TF-IDF + NMF (scikit-learn)",
        "n_topics": n_topics,
        "seed": seed,
        "init": "nndsvda",
        "max_iter": max_iter,
        "n_iter": int(nmf.n_iter_),
        "reconstruction_err": float(nmf.reconstruction_err_),
        "token_pattern": TOKEN_PATTERN,
        "stop_words": "english",
        "sublinear_tf": True,
        **vopts,
        "vocabulary_size": len(vocab),
        "n_docs": len(docs),
    }
    return TopicModel(
        doc_ids=doc_ids,
        doc_topic=w,
        topic_word=h,
        vocab=vocab,
        topic_terms=pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"]),
        labels=_topic_labels(tops, n_label_terms),
        params=params,
    )


def topic_network(model: TopicModel, min_weight: float = 0.0) -> nx.Graph:
    """Topic co-occurrence network: edge weight = Pearson correlation of two topics' shares
    across articles, kept when greater than ``min_weight`` (default: every positive correlation).

    Nodes are topic numbers with attributes ``label`` and ``prevalence``; every topic is a node
    even without edges. Graph attributes record the edge definition and the number of articles.
    """
    shares = model.doc_topic_shares()
    shares = shares[shares.sum(axis=1) > 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.corrcoef(shares, rowvar=False)
    prev = model.prevalence()
    g = nx.Graph(
        edge_weight="pearson correlation of document-topic shares across articles",
        min_weight=min_weight,
        positive_only=True,
        n_docs=int(len(shares)),
    )
    for t in range(model.n_topics):
        g.add_node(t, label=model.labels[t], prevalence=float(prev[t]))
    for i in range(model.n_topics):
        for j in range(i + 1, model.n_topics):
            c = corr[i, j]
            if np.isfinite(c) and c > max(min_weight, 0.0):
                g.add_edge(i, j, weight=float(c))
    return g


def _frame_label(topic_ids: list[int], graph: nx.Graph, n_topics: int = 2, n_terms: int = 2):
    strongest = sorted(topic_ids, key=lambda t: (-graph.nodes[t]["prevalence"], t))[:n_topics]
    terms: list[str] = []
    for t in strongest:
        label_terms = graph.nodes[t]["label"].split(" ", 1)[1].split(", ")
        terms += [w for w in label_terms[:n_terms] if w not in terms]
    return ", ".join(terms)


def topic_communities(
    graph: nx.Graph, seed: int = 0, method: str = "louvain", resolution: float = 1.0
) -> pd.DataFrame:
    """Communities of the topic network as candidate frames, one row per topic.

    Columns: ``topic``, ``label``, ``prevalence``, ``frame_id`` (1 = the frame with the largest
    total prevalence), ``frame_label`` (``"F1 term, term, term, term"`` from the top terms of its
    two most prevalent topics). ``method`` is ``"louvain"`` (networkx ``louvain_communities``,
    weighted, ``seed``) or ``"greedy"`` (``greedy_modularity_communities``, deterministic).
    ``attrs``: method, seed, resolution, modularity, n_frames.
    """
    if method == "louvain":
        comms = nx.community.louvain_communities(
            graph, weight="weight", resolution=resolution, seed=seed
        )
        method_name = "networkx.community.louvain_communities"
    elif method == "greedy":
        comms = nx.community.greedy_modularity_communities(
            graph, weight="weight", resolution=resolution
        )
        method_name = "networkx.community.greedy_modularity_communities"
    else:
        raise ValueError(f"method must be 'louvain' or 'greedy', not {method!r}")
    comms = [sorted(c) for c in comms]
    comms.sort(key=lambda c: (-sum(graph.nodes[t]["prevalence"] for t in c), c[0]))
    rows = []
    for fid, members in enumerate(comms, start=1):
        flabel = f"F{fid} " + _frame_label(members, graph)
        for t in members:
            rows.append(
                {
                    "topic": t,
                    "label": graph.nodes[t]["label"],
                    "prevalence": graph.nodes[t]["prevalence"],
                    "frame_id": fid,
                    "frame_label": flabel,
                }
            )
    out = pd.DataFrame(rows, columns=["topic", "label", "prevalence", "frame_id", "frame_label"])
    out = out.sort_values(["frame_id", "prevalence", "topic"], ascending=[True, False, True])
    out = out.reset_index(drop=True)
    modularity = (
        nx.community.modularity(graph, comms, weight="weight") if graph.number_of_edges() else 0.0
    )
    out.attrs.update(
        method=method_name,
        seed=seed if method == "louvain" else None,
        resolution=resolution,
        modularity=float(modularity),
        n_frames=len(comms),
        edge_weight=graph.graph.get("edge_weight", ""),
    )
    return out


def document_frames(
    model: TopicModel, communities: pd.DataFrame, min_share: float = 0.3
) -> pd.DataFrame:
    """Each article's dominant candidate frame.

    A frame's share of an article is the sum of the article's topic shares over the frame's
    topics. Columns: ``doc_id``, ``frame_id`` (nullable Int64, missing for no frame), ``frame``
    (the frame label, or ``"no frame"`` when no frame reaches ``min_share``), ``share`` (the
    dominant frame's share, reported even when below the threshold), ``top_topic`` (label of the
    article's largest topic). Ties go to the lower frame id.
    """
    shares = model.doc_topic_shares()
    frame_ids = sorted(communities["frame_id"].unique())
    labels = communities.drop_duplicates("frame_id").set_index("frame_id")["frame_label"]
    member = np.zeros((model.n_topics, len(frame_ids)))
    for _, row in communities.iterrows():
        member[int(row["topic"]), frame_ids.index(row["frame_id"])] = 1.0
    frame_share = shares @ member
    best = frame_share.argmax(axis=1)
    best_share = frame_share[np.arange(len(best)), best]
    has = best_share >= min_share
    fid = pd.array([frame_ids[b] if h else pd.NA for b, h in zip(best, has)], dtype="Int64")
    out = pd.DataFrame(
        {
            "doc_id": model.doc_ids,
            "frame_id": fid,
            "frame": [labels[frame_ids[b]] if h else NO_FRAME for b, h in zip(best, has)],
            "share": best_share,
            "top_topic": [model.labels[i] for i in shares.argmax(axis=1)],
        }
    )
    out.attrs.update(min_share=min_share, frame_order=[*labels.tolist(), NO_FRAME])
    return out


def _wilson(k: np.ndarray, n: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score intervals via ``scipy.stats.binomtest(...).proportion_ci``."""
    from scipy.stats import binomtest

    lo = np.full(len(k), np.nan)
    hi = np.full(len(k), np.nan)
    for i, (kk, nn) in enumerate(zip(k, n)):
        if nn > 0:
            res = binomtest(int(kk), int(nn)).proportion_ci(confidence_level=ci, method="wilson")
            lo[i], hi[i] = res.low, res.high
    return lo, hi


def frame_shares(
    doc_frames: pd.DataFrame,
    articles: pd.DataFrame,
    by: str = "rating",
    ci: float = 0.95,
    min_n: int = 20,
) -> pd.DataFrame:
    """Share of articles each frame dominates, per group, with Wilson CIs.

    ``by`` is any article column, or ``"year"``/``"month"`` (derived from ``date``; undated
    articles form the ``"unknown"`` period). Every frame, including ``"no frame"``, appears for
    every group (zero counts included). Columns: ``by``, ``frame``, ``frame_id``, ``count``,
    ``n`` (articles in the group), ``share``, ``ci_low``, ``ci_high``, ``caution``.
    """
    arts = articles
    if by in ("year", "month") and by not in arts.columns:
        arts = add_period(arts, by)
    merged = doc_frames.merge(arts[["doc_id", by]], on="doc_id", how="inner", validate="1:1")
    merged[by] = merged[by].astype(object).where(merged[by].notna(), UNKNOWN_PERIOD).astype(str)
    order = doc_frames.attrs.get("frame_order") or sorted(merged["frame"].unique())
    frame_id_of = (
        doc_frames.dropna(subset=["frame_id"])
        .drop_duplicates("frame")
        .set_index("frame")["frame_id"]
    )
    groups = sorted(merged[by].unique())
    if by == "rating":
        groups = [g for g in RATING_ORDER if g in groups] + [
            g for g in groups if g not in RATING_ORDER
        ]
    counts = pd.crosstab(merged[by], merged["frame"]).reindex(
        index=groups, columns=order, fill_value=0
    )
    out = counts.stack().rename("count").reset_index()
    out.columns = [by, "frame", "count"]
    out["n"] = out[by].map(counts.sum(axis=1)).astype("int64")
    out["share"] = out["count"] / out["n"].where(out["n"] > 0)
    out["ci_low"], out["ci_high"] = _wilson(out["count"].to_numpy(), out["n"].to_numpy(), ci)
    out["caution"] = np.where(out["n"] < min_n, f"n < {min_n}", "")
    out.insert(2, "frame_id", out["frame"].map(frame_id_of).astype("Int64"))
    out.attrs.update(by=by, ci=ci, min_n=min_n, min_share=doc_frames.attrs.get("min_share"))
    return out


# --------------------------------------------------------------------------- charts
def _frame_colors(frames: list[str]) -> dict[str, str]:
    colors, i = {}, 0
    for f in frames:
        if f == NO_FRAME:
            colors[f] = "#BBBBBB"
        else:
            colors[f] = OKABE_ITO[i % len(OKABE_ITO)]
            i += 1
    return colors


def plot_topic_network(graph: nx.Graph, communities: pd.DataFrame, seed: int = 0):
    """Topic network (spring layout with ``seed``, deterministic): node colour = candidate frame,
    node size = topic prevalence, edge width = correlation. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    use_style()
    pos = nx.spring_layout(graph, weight="weight", seed=seed)
    frame_of = communities.set_index("topic")["frame_label"]
    frames = list(dict.fromkeys(communities["frame_label"]))
    colors = _frame_colors(frames)
    fig, ax = plt.subplots(figsize=(10, 7.5))
    nodes = sorted(graph.nodes)
    prev = np.array([graph.nodes[t]["prevalence"] for t in nodes])
    widths = [1 + 6 * d["weight"] for _, _, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.6)
    nx.draw_networkx_nodes(
        graph,
        pos,
        nodelist=nodes,
        ax=ax,
        node_size=300 + 6000 * prev,
        node_color=[colors[frame_of[t]] for t in nodes],
        edgecolors="white",
    )
    short = {t: "\n".join(graph.nodes[t]["label"].split(", ")[:2]) for t in nodes}
    nx.draw_networkx_labels(graph, pos, labels=short, ax=ax, font_size=7)
    for f in frames:
        ax.scatter([], [], color=colors[f], s=60, label=f)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="candidate frame")
    ax.set_axis_off()
    attrs = communities.attrs
    top = communities.groupby("frame_label", sort=False)["prevalence"].sum()
    ax.set_title(
        f"{graph.number_of_nodes()} topics form {len(frames)} candidate frames; largest: "
        f"{top.index[0]} ({top.iloc[0]:.0%} of topic weight)\n"
        f"{n_label(graph.graph.get('n_docs', 0))} articles; edges: positive correlations of "
        f"topic shares; {attrs.get('method', '').split('.')[-1]} (seed {attrs.get('seed')}), "
        f"modularity {attrs.get('modularity', float('nan')):.2f}; node size: prevalence",
        loc="left",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def frame_finding(shares: pd.DataFrame) -> str:
    """The frame whose share differs most between groups, as a one-line finding."""
    by = shares.attrs.get("by", shares.columns[0])
    solid = shares[(shares["caution"] == "") & (shares[by] != UNKNOWN_PERIOD)]
    solid = solid[solid["frame"] != NO_FRAME]
    if solid.empty or solid[by].nunique() < 2:
        return "Share of articles each candidate frame dominates"
    spread = solid.groupby("frame")["share"].agg(lambda s: s.max() - s.min())
    frame = spread.idxmax()
    rows = solid[solid["frame"] == frame]
    hi = rows.loc[rows["share"].idxmax()]
    lo = rows.loc[rows["share"].idxmin()]
    overlap = hi["ci_low"] <= lo["ci_high"]
    return (
        f"{frame}: {hi['share']:.0%} of {hi[by]} articles vs {lo['share']:.0%} of {lo[by]} "
        f"({'intervals overlap' if overlap else 'intervals do not overlap'})"
    )


def plot_frame_shares(shares: pd.DataFrame, title: str | None = None):
    """Share of articles each frame dominates, with Wilson CIs, including ``"no frame"``.

    ``by == "rating"`` (or any categorical grouping): grouped horizontal bars, one bar per group
    within each frame. ``by`` ``"year"``/``"month"``: one small panel per frame, share over time
    with a CI band (undated articles left out; thin periods hollow). Returns the figure.
    """
    import matplotlib.pyplot as plt

    use_style()
    by = shares.attrs.get("by", shares.columns[0])
    ci = shares.attrs.get("ci", 0.95)
    frames = list(dict.fromkeys(shares["frame"]))
    title = textwrap.fill(title or frame_finding(shares), 100)
    min_share = shares.attrs.get("min_share")
    note = f" (< {min_share:.0%} of topic weight in any frame)" if min_share is not None else ""
    if by in ("year", "month"):
        data = shares[shares[by] != UNKNOWN_PERIOD]
        periods = sorted(data[by].unique())
        x_of = {p: i for i, p in enumerate(periods)}
        ncols = 3
        nrows = int(np.ceil(len(frames) / ncols))
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(12, 2.6 * nrows + 1), sharex=True, sharey=True, squeeze=False
        )
        colors = _frame_colors(frames)
        n_per = data.drop_duplicates(by).set_index(by)["n"]
        for i, frame in enumerate(frames):
            ax = axes[i // ncols][i % ncols]
            sub = data[data["frame"] == frame].sort_values(by)
            x = sub[by].map(x_of).to_numpy()
            ax.fill_between(x, sub["ci_low"], sub["ci_high"], color=colors[frame], alpha=0.25, lw=0)
            ax.plot(x, sub["share"], "-", color=colors[frame])
            thin = (sub["caution"] != "").to_numpy()
            ax.plot(x[~thin], sub["share"].to_numpy()[~thin], "o", color=colors[frame], ms=3)
            ax.plot(x[thin], sub["share"].to_numpy()[thin], "o", color=colors[frame], mfc="white")
            ax.set_title(frame + (note if frame == NO_FRAME else ""), fontsize=8, loc="left")
            ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
        for j in range(len(frames), nrows * ncols):
            axes[j // ncols][j % ncols].set_visible(False)
        for ax in axes[-1]:
            ax.set_xticks(range(len(periods)))
            ax.set_xticklabels([f"{p}\n({n_per[p]})" for p in periods], fontsize=7, rotation=0)
        for row in axes:
            row[0].set_ylabel("share of articles")
        n_unknown = int(shares.loc[shares[by] == UNKNOWN_PERIOD, "count"].sum())
        fig.supxlabel(
            f"{by} (articles in brackets; {n_unknown:,} undated not shown); "
            f"bands: {ci:.0%} Wilson CI",
            fontsize=9,
        )
        fig.suptitle(title, fontsize=10, x=0.01, ha="left")
        fig.tight_layout()
        return fig
    groups = list(dict.fromkeys(shares[by]))
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(frames) * len(groups) + 1.8))
    height = 0.8 / len(groups)
    y0 = np.arange(len(frames))[::-1]
    n_of = shares.drop_duplicates(by).set_index(by)["n"]
    for gi, group in enumerate(groups):
        sub = shares[shares[by] == group].set_index("frame").loc[frames]
        y = y0 + 0.4 - height * (gi + 0.5)
        color = RATING_COLORS.get(group, OKABE_ITO[gi % len(OKABE_ITO)])
        err = [sub["share"] - sub["ci_low"], sub["ci_high"] - sub["share"]]
        label = f"{group} ({n_label(n_of[group])})"
        ax.barh(y, sub["share"], height=height, color=color, label=label)
        ax.errorbar(sub["share"], y, xerr=err, fmt="none", ecolor="black", lw=0.8, capsize=2)
    ax.set_yticks(y0)
    ax.set_yticklabels([f + (note if f == NO_FRAME else "") for f in frames], fontsize=8)
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(f"share of the group's articles the frame dominates ({ci:.0%} Wilson CI)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="y", alpha=0)
    ax.set_title(title, loc="left", fontsize=10)
    fig.tight_layout()
    return fig
