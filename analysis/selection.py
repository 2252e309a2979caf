"""The study's tech-policy selection: subtopic tags and the in-study flag.

Rules live in a versioned YAML file (``analysis/resources/selection_<name>.yml``); see its header
for how they apply. Precision of the rules was measured by reading samples of selected and
rejected articles (``data/selection/``, reported in the corpus DATACARD).

Matching engine. The rules are case-insensitive regular expressions. The straightforward way
(Python ``re`` with ``IGNORECASE``, one ``findall`` per subtopic; :func:`subtopic_hits` with
``fast=False``) takes 30-90 s over the 3,076-article pool on the shared machine. The default
engine (``fast=True``) gives identical counts about 5-7 times faster (CPU time, measured in
``data/selection/README.md``) by

* lower-casing every text once and compiling the patterns case-sensitively, with their literal
  letters lower-cased (escapes such as ``\\W``/``\\b`` are left alone);
* a literal prefilter: from each subtopic's parsed pattern (``re._parser``) a set of strings is
  derived one of which must occur in any match (:func:`_required_literals`); one
  Aho-Corasick pass per text (``pyahocorasick``, already a project dependency) finds which
  subtopics can match at all, and only those patterns run;
* running the patterns with the ``regex`` package (``V0``, i.e. ``re``-compatible semantics),
  whose literal-prefix search is faster than ``re``'s on these alternations. ``regex`` was
  chosen by measuring on 1,000 pool texts: lower-cased ``re`` about 1.7x, ``regex`` with
  ``IGNORECASE`` about 2.5x, lower-cased ``regex`` about 4x faster than the straightforward
  engine (before the prefilter). It is installed as a dependency of syntok/dateparser but is
  not declared in ``pyproject.toml`` (to be added there).

Lower-casing and matching case-sensitively equals case-insensitive matching when the patterns'
letters are ASCII and lower-casing keeps the text's length and the identity of the characters
that case-fold to an ASCII letter. A text where ``str.lower`` changes the length (e.g. "İ") or
that contains one of the non-ASCII characters that ``IGNORECASE`` folds to an ASCII letter
(Kelvin sign, long s, dotless i, dotted capital I) is matched with the straightforward engine,
so the results are identical for every text; ``tests/test_selection.py`` checks it on synthetic
edge cases and real articles, and the README records the check over the whole pool.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from re import _constants as sre_constants  # the parser ``re`` itself uses (Python 3.11+)
from re import _parser as sre_parser

import ahocorasick
import numpy as np
import pandas as pd
import regex
import yaml

from . import paths

# ----------------------------------------------------------------------------- site boilerplate
# The Hill renders each linked name as "<name><headline> <headline> ... MORE" (a related-stories
# block glued to the name, e.g. "Bill NelsonBottom Line ... regrets resigning MORE"). Those
# headlines ("Hillicon Valley: ... social media giants ... deepfakes") tag politics stories with
# tech subtopics. The block starts at a capitalised word glued to the next capitalised word and
# ends at " MORE" (not "READ MORE"); a span is at most 700 characters.
_HILL_LINK_BLOCK = re.compile(r"\b([A-Z][a-z]+)(?=[A-Z][a-z])[^\n]{1,700}?(?<![A-Z]) MORE\b")
# Newsletter sign-up lines whose "Privacy Policy" matches the privacy pattern.
_PRIVACY_BOILERPLATE = re.compile(
    r"(?:By signing up, )?you agree to our Privacy Policy[^\n]*"
    r"|This site is protected by reCAPTCHA and the Google Privacy Policy and Terms of Service"
    r" apply\.?"
    r"|See our Privacy Policy for further details\."
    r"|You can read our Privacy Policy here\.",
    re.IGNORECASE,
)


def text_without_site_boilerplate(text: str) -> str:
    """``text`` with The Hill's related-story link blocks and newsletter privacy-policy lines
    removed (the name that carried a link block is kept).

    Each substitution runs only when the text holds the literal its pattern cannot match
    without (" MORE"; "privacy policy" in any case), which skips most texts at the cost of a
    substring test and gives the same result.
    """
    if " MORE" in text:
        text = _HILL_LINK_BLOCK.sub(r"\1", text)
    lowered = text.lower()
    if "privacy policy" in lowered or _needs_slow_path(text, lowered):
        text = _PRIVACY_BOILERPLATE.sub("", text)
    return text


# ----------------------------------------------------------------------------- rules
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


def _rules(name: str | Mapping) -> Mapping:
    """Rules by name/path, or a rules mapping as given (for what-if variants)."""
    return name if isinstance(name, Mapping) else selection_rules(name)


def _sources(rules: Mapping) -> dict[str, str]:
    return {sub: "|".join(f"(?:{p})" for p in pats) for sub, pats in rules["subtopics"].items()}


def _lower_literals(pattern: str) -> str:
    """``pattern`` with its literal letters lower-cased; a backslash escape (``\\W``, ``\\b``,
    ``\\.``) is copied unchanged."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)


@lru_cache(maxsize=32)
def _compiled_slow(source: str) -> re.Pattern:
    return re.compile(source, re.IGNORECASE)


@lru_cache(maxsize=32)
def _compiled_fast(source: str) -> regex.Pattern:
    if not source.isascii():
        raise ValueError("fast matching needs ASCII patterns; use fast=False")
    return regex.compile(_lower_literals(source), regex.V0)


def _required_literals(items) -> frozenset[str] | None:
    """For a parsed pattern (``re._parser`` items): a set of strings one of which occurs in
    every match, or ``None`` when none can be derived. Runs of literal characters give a
    one-string set; a group or an alternation gives the union of its branches' sets (if every
    branch has one); a repeat of at least one gives its item's set. Of the candidates along a
    sequence, the one whose shortest string is longest (the most selective) is kept."""
    cands: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            cands.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is sre_constants.LITERAL:
            run.append(chr(av))
            continue
        flush()
        found = None
        if op is sre_constants.SUBPATTERN:
            found = _required_literals(list(av[3]))
        elif op is sre_constants.BRANCH:
            sets = [_required_literals(list(b)) for b in av[1]]
            found = frozenset().union(*sets) if all(sets) else None
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            found = _required_literals(list(av[2]))
        if found:
            cands.append(found)
    flush()
    return max(cands, key=lambda c: min(map(len, c))) if cands else None


@lru_cache(maxsize=8)
def _prefilter(sources: tuple[tuple[str, str], ...]):
    """An Aho-Corasick automaton over the required literals of every (lower-cased) subtopic
    pattern, each literal mapped to the subtopics that need it, and the subtopics without
    required literals (always matched). ``pyahocorasick`` finds all literals in one pass."""
    auto = ahocorasick.Automaton()
    owners: dict[str, set[str]] = {}
    always = set()
    for sub, src in sources:
        lits = _required_literals(list(sre_parser.parse(_lower_literals(src))))
        if not lits:
            always.add(sub)
            continue
        for lit in lits:
            owners.setdefault(lit, set()).add(sub)
    for lit, subs in owners.items():
        auto.add_word(lit, frozenset(subs))
    if owners:
        auto.make_automaton()
    return (auto if owners else None), frozenset(always)


def _candidate_subtopics(lowered: str, prefilter) -> set[str]:
    """Subtopics whose required literals occur in ``lowered`` (a superset of those that match)."""
    auto, always = prefilter
    found = set(always)
    if auto is not None:
        for _, subs in auto.iter(lowered):
            found |= subs
    return found


# Non-ASCII characters that IGNORECASE matches to an ASCII letter but str.lower() does not
# turn into that letter (Kelvin sign, long s, dotless i, capital I with dot).
_FOLDS_TO_ASCII = frozenset("\u212a\u017f\u0131\u0130")


def _needs_slow_path(text: str, lowered: str) -> bool:
    return len(lowered) != len(text) or (
        not text.isascii() and not _FOLDS_TO_ASCII.isdisjoint(text)
    )


def _count_hits(texts: list[str], sources: dict[str, str], lead_chars: int | None, fast: bool):
    """Per subtopic: list of hit counts over ``texts`` and (with ``lead_chars``) of hit counts
    inside ``text[:lead_chars]``."""
    counts = {sub: [0] * len(texts) for sub in sources}
    leads = {sub: [0] * len(texts) for sub in sources}
    slow = {sub: _compiled_slow(src) for sub, src in sources.items()}
    quick = {sub: _compiled_fast(src) for sub, src in sources.items()} if fast else {}
    prefilter = _prefilter(tuple(sources.items())) if fast else None
    for i, text in enumerate(texts):
        pats, probe = slow, text
        if fast:
            lowered = text.lower()
            if not _needs_slow_path(text, lowered):
                probe = lowered
                cand = _candidate_subtopics(lowered, prefilter)
                pats = {sub: rx for sub, rx in quick.items() if sub in cand}
        for sub, rx in pats.items():
            counts[sub][i] = len(rx.findall(probe))
            if lead_chars is not None and counts[sub][i]:
                # findall(..., 0, endpos) matches as if the text ended at ``endpos``
                leads[sub][i] = len(rx.findall(probe, 0, lead_chars))
    return counts, leads


def matched_texts(articles: pd.DataFrame, name: str | Mapping = "techpolicy") -> pd.Series:
    """The article bodies the rules match on: ``text``, with site boilerplate removed
    (:func:`text_without_site_boilerplate`) when the rules set ``strip_boilerplate``."""
    texts = articles["text"].fillna("").astype(str)
    if _rules(name).get("strip_boilerplate"):
        texts = texts.map(text_without_site_boilerplate)
    return texts


def subtopic_hits(
    articles: pd.DataFrame, name: str | Mapping = "techpolicy", *, fast: bool = True
) -> pd.DataFrame:
    """Per article and subtopic: pattern matches in the title (``<sub>_title``), in the body
    (``<sub>_body``, on :func:`matched_texts`) and, when the rules set ``lead_chars``, in the
    first ``lead_chars`` characters of that body (``<sub>_lead``, matched as if the body ended
    there; left 0 when the whole body has no hit, since the lead then cannot decide a tag).

    ``fast=False`` runs the straightforward engine (``re``, ``IGNORECASE``); the default engine
    returns identical counts (see the module docstring). ``name`` may also be a rules mapping.
    """
    rules = _rules(name)
    sources = _sources(rules)
    lead_chars = rules.get("lead_chars")
    lead_chars = int(lead_chars) if lead_chars is not None else None
    titles = articles["title"].fillna("").astype(str).tolist()
    texts = matched_texts(articles, rules).tolist()
    t_counts, _ = _count_hits(titles, sources, None, fast)
    b_counts, b_leads = _count_hits(texts, sources, lead_chars, fast)
    out = {}
    for sub in sources:
        out[f"{sub}_title"] = t_counts[sub]
        out[f"{sub}_body"] = b_counts[sub]
        if lead_chars is not None:
            out[f"{sub}_lead"] = b_leads[sub]
    return pd.DataFrame(out, index=articles.index)


def tag_subtopics(
    articles: pd.DataFrame, name: str | Mapping = "techpolicy", *, fast: bool = True
) -> pd.DataFrame:
    """``articles`` plus ``subtopics`` (";"-joined, in rule order), one boolean column per subtopic
    (``sub_<name>``), ``in_study`` and ``selection_version``.

    A subtopic is tagged when a pattern matches in the title, or the body has at least the
    subtopic's ``min_body_hits`` (one when the corpus topic is a tech topic) and, when the rules
    set ``lead_chars``, at least one hit inside the first ``lead_chars`` characters of the body
    (articles with a tech topic are exempt when ``lead_exempt_tech_topics`` is true).
    """
    rules = _rules(name)
    min_body = int(rules.get("min_body_hits", 2))
    by_sub = rules.get("min_body_hits_by_subtopic") or {}
    lead_chars = rules.get("lead_chars")
    hits = subtopic_hits(articles, rules, fast=fast)
    tcol = rules.get("topic_column")
    tech_topic = (
        articles[tcol].isin(rules.get("tech_topics") or []).to_numpy()
        if tcol and tcol in articles.columns
        else np.zeros(len(articles), dtype=bool)
    )
    lead_exempt = (
        tech_topic if rules.get("lead_exempt_tech_topics", True) else np.zeros_like(tech_topic)
    )
    out = articles.copy()
    subs = list(rules["subtopics"])
    flags = {}
    for sub in subs:
        need = np.where(tech_topic, 1, int(by_sub.get(sub, min_body)))
        body_ok = hits[f"{sub}_body"].to_numpy() >= need
        if lead_chars is not None:
            body_ok &= (hits[f"{sub}_lead"].to_numpy() > 0) | lead_exempt
        flags[sub] = (hits[f"{sub}_title"].to_numpy() > 0) | body_ok
        out[f"sub_{sub}"] = flags[sub]
    flag_mat = np.column_stack([flags[s] for s in subs]) if subs else np.zeros((len(out), 0))
    out["subtopics"] = [
        ";".join(s for s, f in zip(subs, row, strict=True) if f) for row in flag_mat
    ]
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
