"""Actors: dictionaries (YAML), their mentions in sentences, and actor-targeted sentiment.

The dictionaries live in ``analysis/resources/actors.yml`` (format and case rule documented at
the top of that file); analysts may pass their own file to :func:`load_actors`.

Matching uses ONE compiled regular expression for all aliases of all actors (and all exclusion
phrases), not a Python loop over aliases. The alternatives are sorted longest first, so at any
position the longest alias wins, and the scan gives leftmost, non-overlapping matches. A regex
rather than pyahocorasick was chosen because it expresses the per-alias case rule directly
(``(?i:...)`` groups for lower-case aliases), the whole-word rule (look-arounds) and flexible
whitespace inside multiword aliases, which an Aho-Corasick automaton would need extra passes and
bookkeeping for. Exclusion phrases are alternatives of the same expression that map to no actor: a
match covering them is dropped.

Speed: Python's ``re`` tries the whole alternation at every character (3 s CPU over the 168k
sentences of the shipped pool), so :func:`actor_mentions` first finds candidate positions and
runs the same expression (``pattern.match``) only there, keeping finditer's leftmost,
non-overlapping order. Candidates are positions after a non-word character where the case-folded
text starts with the first word of a phrase followed by a non-word character, found with numpy
on the text's UTF-8 bytes (:func:`_candidate_starts`; a dictionary with non-ASCII first words
uses one pyahocorasick pass instead). The mentions are identical (tested against a plain
``finditer`` per sentence); whole pool: 3.6 s (finditer) -> 2.1 s (pyahocorasick candidates)
-> about 1.0 s (byte scan), ``benchmarks/RESULTS_target.md``.

Actor-targeted sentiment scores each mention with the target-dependent classifier of
:mod:`analysis.target_sentiment`, whose features are relative to the mention (its clause, the
words either side of it, the words of its own clause, distance-weighted VADER valences), so the
whole sentence is not taken blindly as the mention's sentiment: two actors in one sentence can get
different scores.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import ahocorasick
import numpy as np
import pandas as pd
import yaml

from analysis import paths
from analysis.files import load_yaml_safe
from analysis.target_sentiment import _BYTE_MASKS, _eight_bytes
from analysis.text import string_dtype

ACTORS_FILE = "actors.yml"
CATEGORIES = ("company", "government", "civil_society")
_ACTOR_KEYS = {"name", "category", "aliases", "exclusions", "note"}
MENTION_COLUMNS = (
    "doc_id",
    "sent_idx",
    "part",
    "actor",
    "alias",
    "matched",
    "start",
    "end",
    "voice",
)


class ActorsError(ValueError):
    """A problem in an actors YAML file; the message names the file, the actor and the key."""


@dataclass(frozen=True)
class Actor:
    """One actor: its reported name, category, aliases and exclusion phrases."""

    name: str
    category: str
    aliases: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ActorMatcher:
    """The compiled alias expression and the lookup from matched text to (actor, alias)."""

    pattern: re.Pattern
    exact: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    folded: dict[str, tuple[str, str] | None] = field(default_factory=dict)

    def lookup(self, matched: str) -> tuple[str, str] | None:
        key = " ".join(matched.split())
        if key in self.exact:
            return self.exact[key]
        return self.folded.get(key.lower())


# --------------------------------------------------------------------------- loading
def _str_list(value: Any, where: str, key: str, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or (required and not value):
        raise ActorsError(f"{where}: key '{key}' must be a non-empty list of strings")
    out = []
    for i, v in enumerate(value):
        if not isinstance(v, str) or not v.strip():
            raise ActorsError(f"{where}: key '{key}' item {i + 1} must be a non-empty string")
        out.append(" ".join(v.split()))
    return tuple(out)


def actors_from_dict(doc: Any, source: str = "<actors>") -> list[Actor]:
    """Validate a parsed actors document (see ``actors.yml``) and return its actors."""
    if not isinstance(doc, dict) or "actors" not in doc:
        raise ActorsError(f"{source}: expected a mapping with a top-level key 'actors'")
    items = doc["actors"]
    if not isinstance(items, list) or not items:
        raise ActorsError(f"{source}: key 'actors' must be a non-empty list")
    actors: list[Actor] = []
    names: set[str] = set()
    alias_owner: dict[str, str] = {}
    for i, item in enumerate(items, start=1):
        label = f"{source}: actor #{i}"
        if not isinstance(item, dict):
            raise ActorsError(f"{label}: must be a mapping with name, category, aliases")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ActorsError(f"{label}: key 'name' is missing or not a string")
        label = f"{source}: actor '{name}' (#{i})"
        unknown = sorted(set(item) - _ACTOR_KEYS)
        if unknown:
            raise ActorsError(f"{label}: unknown key(s) {unknown}; allowed: {sorted(_ACTOR_KEYS)}")
        if name in names:
            raise ActorsError(f"{label}: key 'name': duplicate actor name")
        names.add(name)
        category = item.get("category")
        if category not in CATEGORIES:
            raise ActorsError(
                f"{label}: key 'category' is {category!r}; use one of {list(CATEGORIES)}"
            )
        aliases = _str_list(item.get("aliases"), label, "aliases", required=True)
        exclusions = _str_list(item.get("exclusions"), label, "exclusions", required=False)
        for a in aliases:
            key = a if a != a.lower() else a.lower()
            if key in alias_owner and alias_owner[key] != name:
                raise ActorsError(
                    f"{label}: key 'aliases': {a!r} is already an alias of "
                    f"'{alias_owner[key]}' (an alias may belong to one actor only)"
                )
            alias_owner[key] = name
        note = item.get("note", "") or ""
        if not isinstance(note, str):
            raise ActorsError(f"{label}: key 'note' must be a string")
        actors.append(Actor(name, category, aliases, exclusions, note))
    return actors


def load_actors(path: str | Path | None = None) -> list[Actor]:
    """The actors of ``path`` (default: the shipped ``analysis/resources/actors.yml``).

    Raises :class:`ActorsError` naming the file, the actor and the key for any problem.
    """
    p = Path(path) if path is not None else paths.RESOURCES_DIR / ACTORS_FILE
    if not p.exists():
        raise ActorsError(f"{p}: actors file not found")
    return list(_parse_actors(p.read_text(encoding="utf-8"), str(p)))


# The pipeline reads the file once per chunk: 16 ms with the pure-Python SafeLoader, 1 ms with
# libyaml (files.load_yaml_safe), and a repeated read of unchanged content costs only reading it
# (the parse is cached by content; Actor objects are frozen, so sharing them is safe).


@functools.lru_cache(maxsize=8)
def _parse_actors(source: str, where: str) -> tuple[Actor, ...]:
    try:
        doc = load_yaml_safe(source)
    except yaml.YAMLError as e:
        raise ActorsError(f"{where}: not valid YAML: {e}") from e
    return tuple(actors_from_dict(doc, source=where))


def actors_table(actors: list[Actor] | None = None) -> pd.DataFrame:
    """One row per (actor, alias): ``actor, category, alias, case_sensitive`` (for display)."""
    actors = load_actors() if actors is None else actors
    rows = [
        {"actor": a.name, "category": a.category, "alias": al, "case_sensitive": al != al.lower()}
        for a in actors
        for al in a.aliases
    ]
    return pd.DataFrame(rows, columns=["actor", "category", "alias", "case_sensitive"])


# --------------------------------------------------------------------------- matching
def _alternative(phrase: str) -> str:
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    return body if phrase != phrase.lower() else f"(?i:{body})"


def actor_matcher(actors: list[Actor]) -> ActorMatcher:
    """Compile all aliases and exclusions of ``actors`` into one expression (see module doc)."""
    exact: dict[str, tuple[str, str] | None] = {}
    folded: dict[str, tuple[str, str] | None] = {}
    phrases: set[str] = set()
    for a in actors:
        for ex in a.exclusions:
            (exact if ex != ex.lower() else folded)[ex] = None  # lower-case ones are folded
            phrases.add(ex)
    for a in actors:
        for al in a.aliases:
            if al != al.lower():
                exact.setdefault(al, (a.name, al))
            else:
                folded.setdefault(al, (a.name, al))
            phrases.add(al)
    ordered = sorted(phrases, key=lambda s: (-len(s), s))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(_alternative(p) for p in ordered) + r")(?!\w)")
    return ActorMatcher(pattern, exact, folded)


# The pipeline matches the same dictionary in every chunk: building the expression (and the
# look-up dicts) took ~2 ms per call, most of a small chunk's fixed cost. Actors are frozen, so
# equal tuples give equal matchers; the matcher's dicts are only read.
@functools.lru_cache(maxsize=8)
def _shared_matcher(actors: tuple[Actor, ...]) -> ActorMatcher:
    return actor_matcher(list(actors))


def _resolve_actors(actors: Any) -> list[Actor]:
    if actors is None:
        return load_actors()
    if isinstance(actors, (str, Path)):
        return load_actors(actors)
    if isinstance(actors, dict):
        return actors_from_dict(actors)
    return list(actors)


def _fold_same_length(text: str) -> str:
    """Lower case with one character per character (offsets unchanged)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _first_words(matcher: ActorMatcher) -> list[str]:
    """Lower-cased first word of every phrase (alias or exclusion) of the matcher."""
    return list(_first_words_of(_phrases(matcher)))


def _phrases(matcher: ActorMatcher) -> tuple[str, ...]:
    """Every phrase (alias or exclusion) of the matcher, sorted."""
    return tuple(sorted(set(matcher.exact) | set(matcher.folded)))


@functools.lru_cache(maxsize=4)
def _first_words_of(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({p.split()[0].lower() for p in phrases if p.split()}))


_W_RE = re.compile(r"\w")
# bytes 0-127: ASCII \w as the re module decides for str patterns; bytes >= 128 (parts of
# non-ASCII characters) False, i.e. "may be a non-word character": kept as candidates
_BYTE_WORD = np.array([c < 128 and bool(_W_RE.match(chr(c))) for c in range(256)])
# the only non-ASCII character whose lower case is one ASCII character (KELVIN SIGN -> "k";
# tests check all of Unicode): texts containing it take the automaton path
_FOLDS_TO_ASCII = ("\u212a",)


def _automaton(words: list[str]) -> Any:
    auto = _AUTOMATA.get(tuple(words))
    if auto is None:
        auto = ahocorasick.Automaton()
        for w in words:
            auto.add_word(w, len(w))
        auto.make_automaton()
        _AUTOMATA.clear()
        _AUTOMATA[tuple(words)] = auto
    return auto


def _candidate_starts_automaton(words: list[str], text: str) -> list[int]:
    """Every occurrence of a first word in the case-folded text (one Aho-Corasick pass)."""
    auto = _automaton(words)
    raw = np.fromiter(chain.from_iterable(auto.iter(_fold_same_length(text))), dtype=np.int64)
    if not len(raw):
        return []
    return np.unique(raw[0::2] - raw[1::2] + 1).tolist()


@functools.lru_cache(maxsize=2)
def _prefix_table(words: tuple[str, ...]) -> np.ndarray:
    """Whether three bytes (``b0 | b1 << 8 | b2 << 16``) begin one of the ASCII ``words``
    (a shorter word matches any following bytes)."""
    table = np.zeros(1 << 24, dtype=bool)
    rest = np.arange(1 << 16, dtype=np.int64)  # the free bytes after a 1- or 2-byte word
    for w in words:
        wb = w.encode("ascii")[:3]
        table[rest[: 1 << (8 * (3 - len(wb)))] << (8 * len(wb)) | int.from_bytes(wb, "little")] = (
            True
        )
    return table


def _candidate_starts(matcher: ActorMatcher, text: str, raw: bytes | None = None) -> list[int]:
    r"""Sorted positions where some phrase of ``matcher`` may start: a superset of the regex's
    match starts, which the expression then checks one by one.

    A match starts after a non-word character (or at the text start), the case-folded text
    there begins with the lower-cased first word of a phrase, and a non-word character follows
    that word (``\s+`` or the closing look-ahead); when every phrase of that first word has
    more words, whitespace must follow and, after exactly one space, the second word
    (:func:`_second_word_ok`). With ASCII first words (the shipped dictionary) this is checked
    on the UTF-8 bytes with numpy: ASCII bytes are classified exactly, a non-ASCII neighbour is
    kept as "may be a non-word character / whitespace", and words are compared as 8-byte
    integer keys. Measured on the pool's 23M characters: ~0.35 s and 69k candidates for 50k
    matches, where an Aho-Corasick pass for the first words (the previous method, kept for
    other dictionaries) took ~1.3 s and gave 294k (most inside words: "ice" in "police"), each
    costing a ``pattern.match`` call.
    """
    words = _first_words(matcher)
    if not words or not text:
        return []
    if not all(w.isascii() for w in words) or any(c in text for c in _FOLDS_TO_ASCII):
        return _candidate_starts_automaton(words, text)
    if raw is None:  # the text's UTF-8 bytes, unless the caller has them
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            return _candidate_starts_automaton(words, text)
    low = np.frombuffer(raw.lower(), dtype=np.uint8)  # bytes.lower: ASCII A-Z only
    # ASCII word bytes by comparisons (SIMD, ~4x cheaper than a 256-entry table look-up here)
    letter = (low >= 97) & (low <= 122)
    word = letter | ((low >= 48) & (low <= 57)) | (low == 95)
    ok = ~word
    ok[1:] = ok[:-1]
    ok[0] = True
    if all(97 <= ord(w[0]) <= 122 for w in words):
        ok &= letter
    # otherwise any first character may start a word: the keys below check it
    cand = np.flatnonzero(ok)
    if not len(cand):
        return []
    pad = np.concatenate([low, np.zeros(24, dtype=np.uint8)])
    # first three folded bytes against the words' first three (one 2**24-entry table)
    i3 = pad[cand].astype(np.int32) | (pad[cand + 1].astype(np.int32) << 8)
    i3 |= pad[cand + 2].astype(np.int32) << 16
    cand = cand[_prefix_table(tuple(words))[i3]]
    at8 = _eight_bytes(pad)
    key = at8[cand]  # the next eight folded bytes, little-endian
    keep = np.zeros(len(cand), dtype=bool)
    seconds = _second_words(_phrases(matcher))
    for n, whole, ws, ks in _key_groups(tuple(words)):
        kn = key & _BYTE_MASKS[n]
        at = np.minimum(np.searchsorted(ks, kn), len(ks) - 1)
        hit = ks[at] == kn
        if whole:  # the whole first word: a non-word character must follow it
            hit &= ~_BYTE_WORD[pad[cand + n]]
            for j, w in enumerate(ws):
                if seconds.get(w):
                    idx = np.flatnonzero(hit & (at == j))
                    if len(idx):  # (a chunk's text holds few of the ~50 first words)
                        hit[idx[~_second_word_ok(pad, cand[idx] + n, seconds[w])]] = False
        keep |= hit
    starts = cand[keep]
    if len(raw) != len(text):  # byte offsets -> character offsets (starts are ASCII bytes)
        b = np.frombuffer(raw, dtype=np.uint8)
        cont = np.flatnonzero((b >= 0x80) & (b < 0xC0))  # UTF-8 continuation bytes
        starts = starts - np.searchsorted(cont, starts)
    return starts.tolist()


_BYTE_SPACE = np.array([c < 128 and chr(c).isspace() for c in range(256)])  # re's \s on ASCII


@functools.lru_cache(maxsize=4)
def _key_groups(words: tuple[str, ...]) -> list[tuple[int, bool, list[str], np.ndarray]]:
    """The ASCII first words by key length: ``(bytes compared, whole word, words sorted by
    key, their keys)``: exact keys for words of up to 8 bytes, 8-byte prefixes for longer ones."""
    groups: dict[tuple[int, bool], list[str]] = {}
    for w in words:
        groups.setdefault((min(len(w), 8), len(w) <= 8), []).append(w)
    out = []
    for (n, whole), ws in groups.items():
        ws = sorted(ws, key=_key8)
        out.append((n, whole, ws, np.array([_key8(w) for w in ws], dtype=np.uint64)))
    return out


def _key8(word: str) -> int:
    """The first eight bytes of an ASCII word as a little-endian integer."""
    return int.from_bytes(word.encode("ascii")[:8], "little")


@functools.lru_cache(maxsize=2)
def _second_words(phrases: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """For each lower-cased first word all of whose phrases have two or more words (ASCII), the
    lower-cased second words; first words with a one-word phrase are absent."""
    out: dict[str, set[str] | None] = {}
    for p in phrases:
        ws = p.lower().split()
        first = ws[0]
        if len(ws) == 1 or not ws[1].isascii() or out.get(first, set()) is None:
            out[first] = None
        else:
            out.setdefault(first, set()).add(ws[1])
    return {w: tuple(sorted(v)) for w, v in out.items() if v}


def _second_word_ok(pad: np.ndarray, after: np.ndarray, seconds: tuple[str, ...]) -> np.ndarray:
    """Whether a multiword phrase may continue at byte offsets ``after`` (just past a first
    word) in the folded bytes ``pad``: ``\\s+`` must follow, so an ASCII non-space byte there
    rules it out; after exactly one space and an ASCII non-space byte, the next bytes must begin
    one of the ``seconds``. Any other whitespace (several spaces, tabs, newlines, non-ASCII
    such as NBSP) is kept: the expression decides."""
    b1 = pad[after]
    b2 = pad[after + 1]
    ascii_gap = (b1 < 128) & ~_BYTE_SPACE[b1]  # punctuation/NUL right after the first word
    plain = (b1 == 32) & (b2 < 128) & ~_BYTE_SPACE[b2]  # one space, then the next word
    key = _eight_bytes(pad)[after + 1]
    found = np.zeros(len(after), dtype=bool)
    for w in seconds:
        found |= (key & _BYTE_MASKS[min(len(w), 8)]) == np.uint64(_key8(w))
    return ~(ascii_gap | (plain & ~found))


_AUTOMATA: dict[tuple[str, ...], Any] = {}


_UNSEEN = object()


def _joined_text(col: pd.Series) -> tuple[str, bytes | None, np.ndarray]:
    """The texts joined by NUL (non-strings as empty texts), its UTF-8 bytes when they come for
    free, and each text's length in characters.

    A pyarrow-backed string column (pandas' default ``str``) is joined by pyarrow in C++ and
    decoded once: 0.16 s for the pool's 168k sentences, where ``tolist`` + ``str.join`` +
    ``encode`` took 0.33 s."""
    if isinstance(col.array, pd.arrays.ArrowStringArray) and not col.isna().any():
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(col.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        large = pa.types.is_large_string(arr.type)
        kind = pa.large_string() if large else pa.string()
        cls = pa.LargeListArray if large else pa.ListArray
        offsets = pa.array([0, len(arr)], pa.int64() if large else pa.int32())
        joined = pc.binary_join(cls.from_arrays(offsets, arr), pa.scalar("\x00", kind))[0]
        lengths = pc.utf8_length(arr).to_numpy(zero_copy_only=False).astype(np.int64)
        return joined.as_py(), joined.as_buffer().to_pybytes(), lengths
    texts = [t if isinstance(t, str) else "" for t in col.tolist()]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return "\x00".join(texts), None, lengths


def actor_mentions(sentences: pd.DataFrame, actors: Any = None) -> pd.DataFrame:
    """Every actor mention in a sentence table (:func:`analysis.text.sentence_table`).

    ``actors`` is a list of :class:`Actor`, a path to a YAML file, a parsed dict, or ``None`` for
    the shipped dictionaries. Columns: ``doc_id, sent_idx, part, actor, alias, matched, start,
    end, voice``; ``start``/``end`` index the article's ``title`` or ``text`` like the sentence
    offsets, ``voice`` is the sentence's voice (reporter/quoted).
    """
    matcher = _shared_matcher(tuple(_resolve_actors(actors)))
    # one string, sentences joined by NUL: no alias can match across it (look-arounds and \s+
    # treat it as a non-word, non-space character), so matches stay inside their sentence
    big, raw, lengths = _joined_text(sentences["text"])
    sent_start = np.zeros(len(lengths), dtype=np.int64)
    if len(lengths) > 1:
        np.cumsum(lengths[:-1] + 1, out=sent_start[1:])
    match = matcher.pattern.match
    lookup = matcher.lookup
    resolved: dict[str, tuple[str, str] | None] = {}  # matched text -> lookup (few distinct)
    found: list[tuple[int, int, str, tuple[str, str]]] = []
    last_end = -1
    for pos in _candidate_starts(matcher, big, raw):
        if pos < last_end:  # inside the previous match: finditer would not look here
            continue
        m = match(big, pos)
        if m is None:
            continue
        last_end = m.end()
        text = m.group(0)
        hit = resolved.get(text, _UNSEEN)
        if hit is _UNSEEN:
            hit = resolved[text] = lookup(text)
        if hit is not None:  # None: an exclusion phrase (or an alias of another case)
            found.append((pos, last_end, text, hit))
    if not found:
        df = pd.DataFrame([], columns=list(MENTION_COLUMNS))
        return df.astype({"sent_idx": "int64", "start": "int64", "end": "int64"})
    pos, end, matched, hits = zip(*found)
    at = np.asarray(pos, dtype=np.int64)
    k = np.searchsorted(sent_start, at, side="right") - 1  # the sentence of each match
    off = sentences["start"].to_numpy(dtype=np.int64)[k] - sent_start[k]
    actor, alias = zip(*hits)

    def take(col: str) -> Any:
        values = sentences[col].take(k)
        if values.dtype == string_dtype():  # already the dtype a list of str gets: no round trip
            return values.reset_index(drop=True)
        return values.tolist()

    df = pd.DataFrame(
        {
            "doc_id": take("doc_id"),
            "sent_idx": take("sent_idx"),
            "part": take("part"),
            "actor": list(actor),
            "alias": list(alias),
            "matched": list(matched),
            "start": at + off,
            "end": np.asarray(end, dtype=np.int64) + off,
            "voice": take("voice"),
        }
    )
    return df.astype({"sent_idx": "int64", "start": "int64", "end": "int64"})


# --------------------------------------------------------------------------- sentiment
def _rows_of(table: pd.DataFrame, mentions: pd.DataFrame) -> np.ndarray:
    """The row of ``table`` with each mention's ``(doc_id, sent_idx)`` (-1 when absent), from
    integer keys (factorised doc_id, sent_idx) and one sort: ~4x cheaper than a pandas join on
    a (doc_id, sent_idx) index of the pool's 168k sentences. Keys must be unique in ``table``
    (a sentence table's are)."""
    codes, docs = pd.factorize(table["doc_id"])
    q_codes = docs.get_indexer(mentions["doc_id"])
    idx = table["sent_idx"].to_numpy(dtype=np.int64)
    q_idx = mentions["sent_idx"].to_numpy(dtype=np.int64)
    lo = min(int(idx.min()), int(q_idx.min())) if len(idx) else 0
    span = max(int(idx.max()), int(q_idx.max())) - lo + 1 if len(idx) else 1
    key = codes.astype(np.int64) * span + (idx - lo)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    if len(sorted_key) > 1 and (np.diff(sorted_key) == 0).any():
        raise ValueError("the sentence table has duplicate (doc_id, sent_idx) rows")
    q_key = q_codes.astype(np.int64) * span + (q_idx - lo)
    pos = np.minimum(np.searchsorted(sorted_key, q_key), max(len(key) - 1, 0))
    found = (q_codes >= 0) & (len(key) > 0) & (sorted_key[pos] == q_key)
    return np.where(found, order[pos], -1)


def mention_sentiment(
    sentences: pd.DataFrame,
    mentions: pd.DataFrame,
    model: Any = None,
    sentiment: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``mentions`` plus the targeted sentiment of each: ``p_negative, p_neutral, p_positive,
    score`` (P(positive) - P(negative), -1..1) and ``label`` (negative/neutral/positive).

    Each mention is scored on its own sentence with its own offsets; the model's features are
    relative to the mention, so two actors in one sentence can get different scores.

    ``sentiment`` (optional): sentence-level VADER scores the caller already has, columns
    ``doc_id, sent_idx, vader_compound`` (the pipeline's sentiment stage). The model's
    sentence-compound feature is then taken from it instead of being computed again (same
    values: both are ``analysis.sentiment``'s VADER, bit for bit); without it, it is computed.
    """
    from analysis.target_sentiment import POLARITY_LABELS, load_target_model

    out = mentions.copy()
    cols = ["p_negative", "p_neutral", "p_positive", "score", "label"]
    if out.empty:
        for c in cols:
            out[c] = pd.Series(dtype="float64" if c != "label" else "object")
        return out
    model = model or load_target_model()
    at = _rows_of(sentences, out)  # the sentence row of each mention (-1: not in the table)
    text = sentences["text"].take(np.maximum(at, 0))
    if (at < 0).any() or text.isna().any():
        raise ValueError("mentions refer to sentences that are not in the sentence table")
    s0 = sentences["start"].to_numpy()[at]
    compound = None
    if sentiment is not None:
        # the pipeline's sentiment table has the sentence table's rows in the same order: then
        # each mention's row there is the same (two column comparisons, ~1 ms on the pool,
        # instead of a second factorize-and-sort join, ~20 ms)
        same_rows = (
            len(sentiment) == len(sentences)
            and np.array_equal(sentiment["sent_idx"].to_numpy(), sentences["sent_idx"].to_numpy())
            and sentiment["doc_id"].equals(sentences["doc_id"])
        )
        got = at if same_rows else _rows_of(sentiment, out)
        compound = np.where(
            got >= 0, sentiment["vader_compound"].to_numpy(dtype=float)[got], np.nan
        )
        if np.isnan(compound).any():
            raise ValueError("sentiment lacks vader_compound for some mentioned sentences")
    X = pd.DataFrame(
        {
            "sentence": text.to_numpy(),
            "start": (out["start"].to_numpy() - s0).astype(int),
            "end": (out["end"].to_numpy() - s0).astype(int),
        }
    )
    if compound is None:
        proba = model.predict_proba(X)
    else:
        proba = model.predict_proba(X, sentence_compound=compound)
    cls = [float(c) for c in model.classes_]
    p = {lab: proba[:, cls.index(v)] for v, lab in POLARITY_LABELS.items()}
    out["p_negative"] = p["negative"]
    out["p_neutral"] = p["neutral"]
    out["p_positive"] = p["positive"]
    out["score"] = p["positive"] - p["negative"]
    out["label"] = np.array(["negative", "neutral", "positive"])[
        np.argmax(np.column_stack([p["negative"], p["neutral"], p["positive"]]), axis=1)
    ]
    return out


ACTOR_STATS = ("n_mentions", "n_sentences", "mean_sentiment", "share_negative", "share_positive")
ACTOR_COLUMNS = ["doc_id", "actor"] + [f"{c}{s}" for s in ("", "_reporter") for c in ACTOR_STATS]


def _aggregate(scored: pd.DataFrame, suffix: str) -> pd.DataFrame:
    """Per ``(doc_id, actor)`` statistics of scored mentions, vectorised (a label share is a
    count divided by the group size; no Python call per group)."""
    labels = scored["label"].to_numpy()
    keyed = pd.DataFrame(
        {
            "doc_id": scored["doc_id"].to_numpy(),
            "actor": scored["actor"].to_numpy(),
            "sent_idx": scored["sent_idx"].to_numpy(),
            "score": scored["score"].to_numpy(),
            "neg": labels == "negative",
            "pos": labels == "positive",
        }
    )
    g = keyed.groupby(["doc_id", "actor"], sort=True)
    size = g.size()
    return pd.DataFrame(
        {
            f"n_mentions{suffix}": size,
            f"n_sentences{suffix}": g["sent_idx"].nunique(),
            f"mean_sentiment{suffix}": g["score"].mean(),
            f"share_negative{suffix}": g["neg"].sum() / size,
            f"share_positive{suffix}": g["pos"].sum() / size,
        }
    )


def actor_sentiment_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Actor-targeted sentiment per ``(doc_id, actor)`` from mentions already scored by
    :func:`mention_sentiment` (columns ``doc_id, actor, sent_idx, voice, score, label``):
    the table :func:`actor_sentiment` returns (columns :data:`ACTOR_COLUMNS`)."""
    if scored.empty:
        return pd.DataFrame(columns=ACTOR_COLUMNS)
    overall = _aggregate(scored, "")
    reporter = _aggregate(scored[scored["voice"] == "reporter"], "_reporter")
    out = overall.join(reporter, how="left")
    for c in ("n_mentions_reporter", "n_sentences_reporter"):
        out[c] = out[c].fillna(0).astype("int64")
    return out.reset_index()[ACTOR_COLUMNS]


def actor_sentiment(
    sentences: pd.DataFrame, mentions: pd.DataFrame, model: Any = None
) -> pd.DataFrame:
    """Actor-targeted sentiment per ``(doc_id, actor)``.

    Columns: ``doc_id, actor, n_mentions, n_sentences, mean_sentiment, share_negative,
    share_positive`` over all mentions, and the same with suffix ``_reporter`` over mentions in
    reporter-voice sentences (``NaN``/0 when the actor appears only in quotes). ``mean_sentiment``
    is the mean of P(positive) - P(negative) of the target model, in -1..1; the shares count the
    model's labels.
    """
    return actor_sentiment_table(mention_sentiment(sentences, mentions, model=model))
