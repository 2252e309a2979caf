# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# cython: cdivision=False, infer_types=False
"""Compiled per-sentence loop of the news scorer's batch feature pass.

``analysis.sentiment._batch_features`` uses this module when it is built (it is part of the
package: ``pip install -e .`` compiles it); ``analysis.sentiment._batch_features_py`` is the
pure-Python reference it must equal exactly (tests/test_sentiment.py compares them).

Two passes over a batch of texts:

* :func:`split_ids` demojizes and strips each text as ``sentiment._demojize`` does, splits it on
  whitespace and gives every distinct token an integer id (first-seen order);
* :func:`sentence_pass` runs, per sentence and in C over typed arrays of per-token and
  per-look-up-word properties, the name/neutralisation rules (descriptive terms, capitalised
  words and runs), VADER's rule engine (``FastVader._rule_scores`` and the "but" rule) and the
  counts. Sentences that need a regular expression (a listed name or a policy pattern may
  occur) or one of VADER's multi-word idioms call back into the Python code for that step.

The float arithmetic is the reference's, operation by operation and in the same order; the
extension is compiled with ``-ffp-contract=off`` so that no multiply-add is fused.
"""

from cpython.list cimport PyList_Append
from cpython.dict cimport PyDict_GetItem
from cpython.ref cimport PyObject
from libc.stdlib cimport malloc, realloc, free, qsort
from libc.string cimport memcmp, memset
from cpython.unicode cimport Py_UNICODE_ISSPACE

import numpy as np

# SHA-256 of this file as it was compiled (setup.py passes it in): analysis.sentiment compares
# it with the .pyx on disk and does not use a stale build
SOURCE_SHA256 = PYX_SHA256

# per-token flags (``tflag``), filled by analysis.sentiment._token_arrays
cdef enum:
    T_INLEX = 1
    T_HIT = 2
    T_CAP = 4
    T_SINGLE = 8
    T_RUNNY = 16
    T_NEXT_INIT = 32
    T_FIRST_OPEN = 64
    T_LONG = 128
    T_LONG_LOWER = 256
    T_DESC = 512
    T_CONNECTOR = 1024
    T_RUN_END = 2048
    T_NEG = 4096
    T_BOOST = 8192
    T_UP = 16384
    T_UP_MASKED = 32768

# per-look-up-word flags (``wflag``)
cdef enum:
    W_INLEX = 1
    W_HIT = 2
    W_BOOST = 4
    W_NEGV = 8
    W_IDIOM = 16

# bits of the sentence mask (``sentiment._B_*``)
cdef enum:
    B_LISTED = 1
    B_PATTERN = 2
    B_DESC = 4
    B_CAP = 8
    B_LONG_LOWER = 16
    B_HIT = 32
    B_NEG = 64
    B_BOOST = 128

# indices into ``special`` (look-up word ids of the words VADER's rules compare with)
cdef enum:
    S_NO = 0
    S_KIND = 1
    S_OF = 2
    S_NEVER = 3
    S_SO = 4
    S_THIS = 5
    S_WITHOUT = 6
    S_DOUBT = 7
    S_LEAST = 8
    S_AT = 9
    S_VERY = 10
    S_OR = 11
    S_NOR = 12
    S_BUT = 13
    S_ENTITY = 14

SPECIAL_WORDS = (
    "no", "kind", "of", "never", "so", "this", "without", "doubt", "least", "at", "very", "or",
    "nor", "but", "entity",
)
TOKEN_FLAGS = {
    "inlex": T_INLEX, "hit": T_HIT, "cap": T_CAP, "single": T_SINGLE, "runny": T_RUNNY,
    "next_init": T_NEXT_INIT, "first_open": T_FIRST_OPEN, "long": T_LONG,
    "long_lower": T_LONG_LOWER, "desc": T_DESC, "connector": T_CONNECTOR, "run_end": T_RUN_END,
    "neg": T_NEG, "boost": T_BOOST, "up": T_UP, "up_masked": T_UP_MASKED,
}
WORD_FLAGS = {"inlex": W_INLEX, "hit": W_HIT, "boost": W_BOOST, "negv": W_NEGV, "idiom": W_IDIOM}


cdef inline bint _has_emoji(str text, const unsigned char[::1] emoji):
    cdef Py_UCS4 ch
    cdef Py_ssize_t lim = emoji.shape[0]
    for ch in text:
        if ch >= 128 and <Py_ssize_t>ch < lim and emoji[ch]:
            return True
    return False


def split_ids(list texts, dict index, list distinct, demojize, const unsigned char[::1] emoji):
    """Demojized, stripped texts (as ``sentiment._demojize``), the token id of every
    whitespace token (flat, int32) and the offsets of each text's tokens (n + 1, int64).

    ``index`` (token -> id) and ``distinct`` (tokens by id) are extended with new tokens;
    ``demojize`` is ``vader_fast.demojize``, called only for texts holding an emoji character
    (``emoji[codepoint]`` non-zero)."""
    cdef Py_ssize_t n = len(texts), r, cap = 1024, used = 0, k, m
    cdef int* buf = <int*> malloc(cap * sizeof(int))
    cdef int* nbuf
    cdef long long[::1] off = np.zeros(n + 1, dtype=np.int64)
    cdef PyObject* hit
    cdef int tid
    cdef list out = []
    cdef list toks
    cdef str raw, text
    if buf == NULL:
        raise MemoryError()
    try:
        for r in range(n):
            raw = texts[r]
            if not raw.isascii() and _has_emoji(raw, emoji):
                text = demojize(raw).strip()
            else:
                text = raw.strip()
            out.append(text)
            toks = text.split()
            m = len(toks)
            if used + m > cap:
                while used + m > cap:
                    cap *= 2
                nbuf = <int*> realloc(buf, cap * sizeof(int))
                if nbuf == NULL:
                    raise MemoryError()
                buf = nbuf
            for k in range(m):
                tok = toks[k]
                hit = PyDict_GetItem(index, tok)
                if hit == NULL:
                    tid = len(distinct)
                    index[tok] = tid
                    distinct.append(tok)
                else:
                    tid = <int>(<object>hit)
                buf[used] = tid
                used += 1
            off[r + 1] = used
        ids = np.empty(used, dtype=np.int32)
        _copy_ints(ids, buf, used)
    finally:
        free(buf)
    return out, ids, np.asarray(off)


cdef extern from "Python.h":
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t i) nogil
    object PyUnicode_Substring(object s, Py_ssize_t a, Py_ssize_t b)


cdef class TokenIndex:
    """token -> id for :func:`split_ids_fast`: an open-addressing table of (hash of the code
    points, id) whose keys are ``distinct[id]``, so a token already known is found from its
    span in the text, without creating a string for it (``split_ids`` creates one per token
    for ``str.split`` and hashes it for the dict). Grown (doubled) at half load."""

    cdef unsigned long long* hashes
    cdef int* ids
    cdef Py_ssize_t cap, count

    def __cinit__(self):
        self.cap = 1 << 16
        self.count = 0
        self.hashes = <unsigned long long*> malloc(self.cap * sizeof(unsigned long long))
        self.ids = <int*> malloc(self.cap * sizeof(int))
        if self.hashes == NULL or self.ids == NULL:
            raise MemoryError()
        memset(self.ids, 0xFF, self.cap * sizeof(int))  # -1: empty

    def __dealloc__(self):
        free(self.hashes)
        free(self.ids)

    def __len__(self):
        return self.count

    cdef int _grow(self) except -1:
        cdef Py_ssize_t old = self.cap, k, slot, cap = self.cap * 2
        cdef unsigned long long* oh = self.hashes
        cdef int* oi = self.ids
        cdef unsigned long long* nh = <unsigned long long*> malloc(cap * sizeof(unsigned long long))
        cdef int* ni = <int*> malloc(cap * sizeof(int))
        if nh == NULL or ni == NULL:
            free(nh)
            free(ni)
            raise MemoryError()
        memset(ni, 0xFF, cap * sizeof(int))
        for k in range(old):
            if oi[k] >= 0:
                slot = <Py_ssize_t>(oh[k] & <unsigned long long>(cap - 1))
                while ni[slot] >= 0:
                    slot = (slot + 1) & (cap - 1)
                nh[slot] = oh[k]
                ni[slot] = oi[k]
        self.hashes = nh
        self.ids = ni
        self.cap = cap
        free(oh)
        free(oi)
        return 0


cdef unsigned long long _FNV_OFFSET = 0xCBF29CE484222325ULL
cdef unsigned long long _FNV_PRIME = 0x100000001B3ULL


cdef inline bint _same_span(str key, int kind, void* data, Py_ssize_t a, Py_ssize_t n):
    """``key == text[a:a + n]`` (``kind``/``data``: the text's), code point by code point."""
    cdef Py_ssize_t i
    cdef int kk
    cdef void* kd
    if len(key) != n:
        return False
    kk = PyUnicode_KIND(key)
    kd = PyUnicode_DATA(key)
    if kk == kind:
        return memcmp(kd, <char*>data + a * kind, n * kind) == 0
    for i in range(n):
        if PyUnicode_READ(kk, kd, i) != PyUnicode_READ(kind, data, a + i):
            return False
    return True


def split_ids_fast(
    list texts, TokenIndex index, list distinct, demojize, const unsigned char[::1] emoji
):
    """:func:`split_ids` with a :class:`TokenIndex` for the ids: the same stripped texts, ids,
    offsets and new ``distinct`` tokens (tested against it). Tokens are the maximal runs of
    characters that are not white space (``Py_UNICODE_ISSPACE``, the test ``str.split()``
    uses); a new token is stored as ``text[a:b]``."""
    cdef Py_ssize_t n = len(texts), r, cap = 1024, used = 0, i, a, ln, slot, mask
    cdef int* buf = <int*> malloc(cap * sizeof(int))
    cdef int* nbuf
    cdef long long[::1] off = np.zeros(n + 1, dtype=np.int64)
    cdef int tid, kind
    cdef void* data
    cdef unsigned long long h
    cdef Py_UCS4 c
    cdef list out = []
    cdef str raw, text
    if buf == NULL:
        raise MemoryError()
    try:
        for r in range(n):
            raw = texts[r]
            if not raw.isascii() and _has_emoji(raw, emoji):
                text = demojize(raw).strip()
            else:
                text = raw.strip()
            out.append(text)
            ln = len(text)
            kind = PyUnicode_KIND(text)
            data = PyUnicode_DATA(text)
            i = 0
            while True:
                while i < ln and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)):
                    i += 1
                if i >= ln:
                    break
                a = i
                h = _FNV_OFFSET  # FNV-1a over the code points
                while i < ln:
                    c = PyUnicode_READ(kind, data, i)
                    if Py_UNICODE_ISSPACE(c):
                        break
                    h = (h ^ <unsigned long long>c) * _FNV_PRIME
                    i += 1
                mask = index.cap - 1
                slot = <Py_ssize_t>(h & <unsigned long long>mask)
                while True:
                    tid = index.ids[slot]
                    if tid < 0:
                        tid = len(distinct)
                        distinct.append(PyUnicode_Substring(text, a, i))
                        index.hashes[slot] = h
                        index.ids[slot] = tid
                        index.count += 1
                        if 2 * index.count > index.cap:
                            index._grow()
                        break
                    if index.hashes[slot] == h and _same_span(distinct[tid], kind, data, a, i - a):
                        break
                    slot = (slot + 1) & mask
                if used == cap:
                    cap *= 2
                    nbuf = <int*> realloc(buf, cap * sizeof(int))
                    if nbuf == NULL:
                        raise MemoryError()
                    buf = nbuf
                buf[used] = tid
                used += 1
            off[r + 1] = used
        ids = np.empty(used, dtype=np.int32)
        _copy_ints(ids, buf, used)
    finally:
        free(buf)
    return out, ids, np.asarray(off)


cdef void _copy_ints(int[::1] dst, int* src, Py_ssize_t n) noexcept:
    cdef Py_ssize_t i
    for i in range(n):
        dst[i] = src[i]


cdef bint _cap_diff(int n, const unsigned char* up) noexcept:
    """``vader_fast._allcap_differential`` of a sentence's (masked) words."""
    cdef int i, allcap = 0
    for i in range(n):
        if up[i]:
            allcap += 1
    cdef int diff = n - allcap
    return 0 < diff and diff < n


cdef void _vader_rules(
    int n,
    const int* low,
    const unsigned char* up,
    const unsigned int* wflag,
    const double* wval,
    const double* wboost,
    const int* sp,
    bint least_in_lex,
    double n_scalar,
    double c_incr,
    double* s,
) noexcept:
    """``FastVader._rule_scores`` (every rule but the multi-word idioms, which the caller
    sends to Python) then the "but" rule, on look-up word ids ``low`` and ``isupper`` flags
    ``up``; writes one score per token into ``s`` (0 for tokens without sentiment)."""
    cdef int i, j, start_i, lw, prev, l1, bi
    cdef int cap_diff = -1
    cdef double valence, scalar, x
    for i in range(n):
        s[i] = 0.0
    for i in range(n):
        lw = low[i]
        if not (wflag[lw] & W_HIT):
            continue
        if lw == sp[S_KIND] and i < n - 1 and low[i + 1] == sp[S_OF]:
            continue
        valence = wval[lw]
        if lw == sp[S_NO] and i != n - 1 and (wflag[low[i + 1]] & W_INLEX):
            valence = 0.0
        if (
            (i > 0 and low[i - 1] == sp[S_NO])
            or (i > 1 and low[i - 2] == sp[S_NO])
            or (i > 2 and low[i - 3] == sp[S_NO]
                and (low[i - 1] == sp[S_OR] or low[i - 1] == sp[S_NOR]))
        ):
            valence = wval[lw] * n_scalar
        if up[i]:
            if cap_diff < 0:
                cap_diff = _cap_diff(n, up)
            if cap_diff:
                if valence > 0:
                    valence += c_incr
                else:
                    valence -= c_incr
        for start_i in range(3):
            if i <= start_i:
                break
            j = i - (start_i + 1)
            prev = low[j]
            if wflag[prev] & W_INLEX:
                continue
            scalar = 0.0
            if wflag[prev] & W_BOOST:
                scalar = wboost[prev]
                if valence < 0:
                    scalar *= -1
                if up[j]:
                    if cap_diff < 0:
                        cap_diff = _cap_diff(n, up)
                    if cap_diff:
                        if valence > 0:
                            scalar += c_incr
                        else:
                            scalar -= c_incr
                if start_i == 1:
                    scalar = scalar * 0.95
                elif start_i == 2:
                    scalar = scalar * 0.9
            valence = valence + scalar
            if start_i == 0:
                if wflag[prev] & W_NEGV:
                    valence = valence * n_scalar
            elif start_i == 1:
                l1 = low[i - 1]
                if prev == sp[S_NEVER] and (l1 == sp[S_SO] or l1 == sp[S_THIS]):
                    valence = valence * 1.25
                elif prev == sp[S_WITHOUT] and l1 == sp[S_DOUBT]:
                    pass
                elif wflag[prev] & W_NEGV:
                    valence = valence * n_scalar
            else:
                l1 = low[i - 1]
                if (
                    prev == sp[S_NEVER] and (low[i - 2] == sp[S_SO] or low[i - 2] == sp[S_THIS])
                ) or (l1 == sp[S_SO] or l1 == sp[S_THIS]):
                    valence = valence * 1.25
                elif prev == sp[S_WITHOUT] and (low[i - 2] == sp[S_DOUBT] or l1 == sp[S_DOUBT]):
                    pass
                elif wflag[prev] & W_NEGV:
                    valence = valence * n_scalar
        if i > 0 and low[i - 1] == sp[S_LEAST] and not least_in_lex:
            if i > 1:
                if low[i - 2] != sp[S_AT] and low[i - 2] != sp[S_VERY]:
                    valence = valence * n_scalar
            else:
                valence = valence * n_scalar
        s[i] = valence
    # the "but" rule with the reference's ``list.index`` (first equal value) behaviour
    bi = -1
    for i in range(n):
        if low[i] == sp[S_BUT]:
            bi = i
            break
    if bi >= 0:
        for i in range(n):
            x = s[i]
            j = 0
            while s[j] != x:
                j += 1
            if j < bi:
                s[j] = x * 0.5
            elif j > bi:
                s[j] = x * 1.5


cdef void _run_names(
    int n, const int* ids, const unsigned int* tflag, int* cur, unsigned char* name
) noexcept:
    """``sentiment._run_names`` (runs of ``_capitalised_runs``) on token ids: sets ``name``."""
    cdef int j, k, cur_len = 0, ncap, q
    cdef bint nxt_cap, joins
    j = 0
    while j <= n:
        if j < n:
            nxt_cap = j + 1 < n and (tflag[ids[j + 1]] & T_CAP)
            joins = (tflag[ids[j]] & T_CAP) or (
                cur_len > 0 and (tflag[ids[j]] & T_CONNECTOR) and nxt_cap
            )
            if joins and cur_len > 0 and (tflag[ids[cur[cur_len - 1]]] & T_RUN_END):
                _flush_run(cur, cur_len, ids, tflag, name)
                cur_len = 0
            if joins:
                cur[cur_len] = j
                cur_len += 1
            elif cur_len > 0:
                _flush_run(cur, cur_len, ids, tflag, name)
                cur_len = 0
        elif cur_len > 0:
            _flush_run(cur, cur_len, ids, tflag, name)
            cur_len = 0
        j += 1


cdef inline void _flush_run(
    int* cur, int cur_len, const int* ids, const unsigned int* tflag, unsigned char* name
) noexcept:
    cdef int k, q, ncap = 0
    for k in range(cur_len):
        if tflag[ids[cur[k]]] & T_CAP:
            ncap += 1
    if ncap < 2:
        return
    for k in range(cur_len):
        q = cur[k]
        if not (tflag[ids[q]] & T_CAP):
            continue
        if q == 0 or (tflag[ids[q - 1]] & T_NEXT_INIT) or (tflag[ids[q]] & T_FIRST_OPEN):
            continue
        name[q] = 1


def sentence_pass(
    list raws,
    list texts,
    const int[::1] flat,
    const long long[::1] off,
    const unsigned int[::1] tflag,
    const unsigned int[::1] tmask,
    const int[::1] tlow,
    const int[::1] texcl,
    const int[::1] tquest,
    const int[::1] mexcl,
    const int[::1] mquest,
    list learned,
    const unsigned int[::1] wflag,
    const double[::1] wval,
    const double[::1] wboost,
    list wstr,
    const int[::1] special,
    bint least_in_lex,
    double n_scalar,
    double c_incr,
    names_py,
    vader_py,
    bint plain_too=False,
    lrn_flat=None,
    lrn_off=None,
):
    """The per-sentence loop of ``sentiment._batch_features_py`` over token ids.

    ``names_py(r, mask)`` -> ``(name, marked)`` token index sets (the listed-name and
    policy-pattern regexes) is called for sentences whose mask has one of their bits; ``vader_py(words_ids, neut, lows)`` ->
    per-token scores (or ``None``) for sentences with a multi-word idiom word. Returns
    ``(counts n x 7 int64, flat_vals, flat_sid, lexes, tokens, plain, fallbacks, redo)``, the
    values the reference loop collects (``fallbacks``: number of sentences sent to each
    callback) and, with ``plain_too``, ``(r, token scores or None)`` of plain VADER on the
    unmasked tokens of each sentence with a neutralised word. With ``lrn_flat``/``lrn_off``
    (the per-process ids of each token's learned words: ``lrn_flat[lrn_off[t]:lrn_off[t + 1]]``
    are those of ``learned[t]``), a ninth value ``(word ids, words per sentence)`` spells the
    returned tokens with those ids (the n-gram blocks then need not look the words up)."""
    cdef Py_ssize_t n = len(texts), r, total
    cdef int i, j, m, ntok, maxlen = 1, lw, nlong, nvals = 0, capv = 1024
    cdef long long s0
    cdef unsigned int mask, f
    cdef bint any_neut, any_hit, any_idiom, need_runs
    cdef int n_neg, n_boost, ex, qu
    cdef double x
    cdef object key, got
    cdef dict lv
    cdef list toks_out
    cdef int n_names_py = 0, n_vader_py = 0
    cdef unsigned int rule_bits = B_LISTED | B_PATTERN | B_DESC | B_CAP
    for r in range(n):
        if off[r + 1] - off[r] > maxlen:
            maxlen = <int>(off[r + 1] - off[r])
    cdef int* ids
    cdef unsigned char* name = <unsigned char*> malloc(maxlen)
    cdef unsigned char* neut = <unsigned char*> malloc(maxlen)
    cdef unsigned char* up = <unsigned char*> malloc(maxlen)
    cdef int* low = <int*> malloc(maxlen * sizeof(int))
    cdef int* cur = <int*> malloc(maxlen * sizeof(int))
    cdef double* sc = <double*> malloc(maxlen * sizeof(double))
    cdef const unsigned int* tf = &tflag[0]
    cdef const unsigned int* wf = &wflag[0]
    cdef const int* sp = &special[0]
    counts = np.zeros((n, 7), dtype=np.int64)
    cdef long long[:, ::1] cnt = counts
    vals_buf = np.empty(capv, dtype=np.float64)
    sid_buf = np.empty(capv, dtype=np.int64)
    cdef double[::1] vb = vals_buf
    cdef long long[::1] sb = sid_buf
    plain_arr = np.ones(n, dtype=bool)
    cdef unsigned char[::1] plain = plain_arr.view(np.uint8)
    cdef list lexes = []
    cdef list tokens = []
    cdef bint want_ids = lrn_flat is not None
    cdef const int[::1] lf
    cdef const long long[::1] lo
    cdef Py_ssize_t nids = 0, capi = 1024, q
    cdef long long nrow
    gids_a = np.empty(capi if want_ids else 0, dtype=np.int64)
    glens_a = np.zeros(n if want_ids else 0, dtype=np.int64)
    cdef long long[::1] gids = gids_a, glens = glens_a
    if want_ids:
        lf = lrn_flat
        lo = lrn_off
    cdef list redo = []
    cdef bint hit2, idiom2
    if not (name and neut and up and low and cur and sc):
        free(name); free(neut); free(up); free(low); free(cur); free(sc)
        raise MemoryError()
    try:
        for r in range(n):
            s0 = off[r]
            ntok = <int>(off[r + 1] - s0)
            ids = <int*> &flat[s0] if ntok else NULL
            mask = 0
            for i in range(ntok):
                mask |= tmask[ids[i]]
            if ntok:
                memset(name, 0, ntok)
                memset(neut, 0, ntok)
            any_neut = False
            # ---- names and neutralisation (sentiment._name_and_neutral)
            if mask & rule_bits:
                if mask & (B_LISTED | B_PATTERN):
                    # listed names (-> name) and policy patterns (-> marked): regexes, in Python
                    n_names_py += 1
                    nm, mk = names_py(r, mask)
                    for i in nm:
                        name[<int>i] = 1
                    for i in mk:
                        neut[<int>i] = 1  # "marked" (restricted to lexicon words below)
                if mask & B_DESC:
                    for i in range(ntok):
                        if tf[ids[i]] & T_DESC:
                            neut[i] = 1  # "marked" (restricted to lexicon words below)
                nlong = 0
                if mask & B_CAP and not (mask & B_LONG_LOWER):
                    for i in range(ntok):
                        if tf[ids[i]] & T_LONG:
                            nlong += 1
                if mask & B_CAP and (mask & B_LONG_LOWER or nlong < 2):
                    need_runs = False
                    for i in range(ntok):
                        f = tf[ids[i]]
                        if not (f & T_CAP):
                            continue
                        if i == 0 or (tf[ids[i - 1]] & T_NEXT_INIT) or (f & T_FIRST_OPEN):
                            continue
                        if f & T_SINGLE:
                            name[i] = 1
                        elif f & T_RUNNY:
                            need_runs = True
                    if need_runs:
                        _run_names(ntok, ids, tf, cur, name)
                for i in range(ntok):
                    if (name[i] or neut[i]) and (tf[ids[i]] & T_INLEX):
                        neut[i] = 1
                        any_neut = True
                    else:
                        neut[i] = 0
            if any_neut:
                plain[r] = 0
            # ---- VADER on the masked tokens
            any_hit = False
            any_idiom = False
            for i in range(ntok):
                if neut[i]:
                    low[i] = sp[S_ENTITY]
                    up[i] = (tf[ids[i]] & T_UP_MASKED) != 0
                else:
                    low[i] = tlow[ids[i]]
                    up[i] = (tf[ids[i]] & T_UP) != 0
                f = wf[low[i]]
                if f & W_HIT:
                    any_hit = True
                if f & W_IDIOM:
                    any_idiom = True
            lv = {}
            if any_hit and (mask & B_HIT):
                if any_idiom:
                    n_vader_py += 1
                    got = vader_py(r, [neut[i] for i in range(ntok)])
                    if got is None:
                        any_hit = False
                    else:
                        for i in range(ntok):
                            sc[i] = got[i]
                else:
                    _vader_rules(
                        ntok, low, up, wf, &wval[0], &wboost[0], sp, least_in_lex,
                        n_scalar, c_incr, sc,
                    )
                if any_hit:
                    for i in range(ntok):
                        x = sc[i]
                        if x != 0.0:
                            if nvals == capv:
                                capv *= 2
                                vals_buf = np.resize(vals_buf, capv)
                                sid_buf = np.resize(sid_buf, capv)
                                vb = vals_buf
                                sb = sid_buf
                            vb[nvals] = x
                            sb[nvals] = r
                            nvals += 1
                            key = wstr[low[i]]
                            got = lv.get(key, 0.0)
                            lv[key] = got + x
            lexes.append(lv)
            # ---- plain VADER's token scores of a sentence with a neutralised word (the
            # unmasked tokens), so the caller need not score it again
            if plain_too and any_neut:
                hit2 = False
                idiom2 = False
                for i in range(ntok):
                    low[i] = tlow[ids[i]]
                    up[i] = (tf[ids[i]] & T_UP) != 0
                    f = wf[low[i]]
                    if f & W_HIT:
                        hit2 = True
                    if f & W_IDIOM:
                        idiom2 = True
                if not hit2:
                    redo.append((r, None))
                elif idiom2:
                    n_vader_py += 1
                    redo.append((r, vader_py(r, [0] * ntok)))
                else:
                    _vader_rules(
                        ntok, low, up, wf, &wval[0], &wboost[0], sp, least_in_lex,
                        n_scalar, c_incr, sc,
                    )
                    redo.append((r, [sc[i] for i in range(ntok)]))
            # ---- counts
            n_neg = 0
            n_boost = 0
            ex = 0
            qu = 0
            for i in range(ntok):
                f = tf[ids[i]]
                if neut[i]:
                    ex += mexcl[ids[i]]
                    qu += mquest[ids[i]]
                else:
                    ex += texcl[ids[i]]
                    qu += tquest[ids[i]]
                    if f & T_NEG:
                        n_neg += 1
                    if f & T_BOOST:
                        n_boost += 1
            raw = raws[r]
            cnt[r, 0] = ntok
            cnt[r, 1] = n_neg if mask & B_NEG else 0
            cnt[r, 2] = n_boost if mask & B_BOOST else 0
            cnt[r, 3] = ex
            cnt[r, 4] = qu
            cnt[r, 5] = raw.count("!")
            cnt[r, 6] = raw.count("?")
            # ---- the learned layer's words: no names, no neutralised words
            toks_out = []
            nrow = 0
            for i in range(ntok):
                if name[i] or neut[i]:
                    continue
                lrn = learned[ids[i]]
                if lrn:
                    toks_out.extend(lrn)
                    if want_ids:
                        for q in range(lo[ids[i]], lo[ids[i] + 1]):
                            if nids == capi:
                                capi *= 2
                                gids_a = np.resize(gids_a, capi)
                                gids = gids_a
                            gids[nids] = lf[q]
                            nids += 1
                            nrow += 1
            if want_ids:
                glens[r] = nrow
            tokens.append(toks_out)
    finally:
        free(name); free(neut); free(up); free(low); free(cur); free(sc)
    out = (
        counts,
        vals_buf[:nvals].copy(),
        sid_buf[:nvals].copy(),
        lexes,
        tokens,
        plain_arr,
        (n_names_py, n_vader_py),
        redo,
    )
    if want_ids:
        return out + ((gids_a[:nids].copy(), glens_a),)
    return out


# --------------------------------------------------------------------------- token properties
cdef inline bint _is_punct(Py_UCS4 c) noexcept:
    # string.punctuation (for an ASCII token the other characters of sentiment._PUNCT,
    # all non-ASCII, cannot occur)
    return (33 <= c <= 47) or (58 <= c <= 64) or (91 <= c <= 96) or (123 <= c <= 126)


cdef inline bint _is_quote(Py_UCS4 c) noexcept:
    # the non-ASCII characters of sentiment._PUNCT handled by the fast path of token_table:
    # ’ ‘ “ ” — – … (not letters, digits or white space; uncased)
    return c == 0x2019 or c == 0x2018 or c == 0x201C or c == 0x201D or c == 0x2014 \
        or c == 0x2013 or c == 0x2026


cdef inline bint _ascii_or_quotes(str s):
    """Every character of ``s`` is ASCII or one of :func:`_is_quote`'s."""
    cdef Py_UCS4 c
    for c in s:
        if c >= 128 and not _is_quote(c):
            return False
    return True


cdef inline bint _is_upper(Py_UCS4 c) noexcept:
    return 65 <= c <= 90


cdef inline bint _is_lower(Py_UCS4 c) noexcept:
    return 97 <= c <= 122


cdef inline bint _ascii_isupper(str s, Py_ssize_t a, Py_ssize_t b):
    """``s[a:b].isupper()`` for an ASCII string."""
    cdef bint cased = False
    cdef Py_ssize_t i
    cdef Py_UCS4 c
    for i in range(a, b):
        c = s[i]
        if _is_lower(c):
            return False
        if _is_upper(c):
            cased = True
    return cased


cdef inline int _count(str s, Py_ssize_t a, Py_ssize_t b, Py_UCS4 ch):
    cdef int k = 0
    cdef Py_ssize_t i
    for i in range(a, b):
        if s[i] == ch:
            k += 1
    return k


cdef void _props_from_tuple(
    tuple p, Py_ssize_t t, dict words, unsigned int[::1] tflag, unsigned int[::1] tmask,
    int[::1] tlow, int[::1] texcl, int[::1] tquest, int[::1] mexcl, int[::1] mquest,
    list learned,
):
    """Fill row ``t`` of the arrays from a ``sentiment._token_props`` tuple."""
    cdef str tok = p[0], masked = p[18]
    low = p[1]
    cdef unsigned int f = 0
    if p[2]: f |= T_INLEX
    if p[3]: f |= T_HIT
    if p[4]: f |= T_CAP
    if p[5]: f |= T_SINGLE
    if p[6]: f |= T_RUNNY
    if p[7]: f |= T_NEXT_INIT
    if p[8]: f |= T_FIRST_OPEN
    if p[9]: f |= T_LONG
    if p[10]: f |= T_LONG_LOWER
    if p[13]: f |= T_DESC
    if p[14]: f |= T_CONNECTOR
    if p[15]: f |= T_RUN_END
    if p[16]: f |= T_NEG
    if p[17]: f |= T_BOOST
    if tok.isupper(): f |= T_UP
    if masked.isupper(): f |= T_UP_MASKED
    tflag[t] = f
    tmask[t] = p[20]
    got = words.get(low)
    if got is None:
        got = len(words)
        words[low] = got
    tlow[t] = got
    texcl[t] = tok.count("!")
    tquest[t] = tok.count("?")
    mexcl[t] = masked.count("!")
    mquest[t] = masked.count("?")
    learned.append(p[19])


def token_table(
    list distinct, dict words, token_props, bint ascii_fast, lex, hitset, negate, booster,
    descriptive, identity, listed_rx, pattern_words, bint pattern_always, connectors,
    idiom_triggers, const unsigned char[::1] listed_chars, Py_ssize_t w_from=0,
):
    """Typed per-token arrays (``tflag, tmask, tlow, texcl, tquest, mexcl, mquest``) and the
    learned-layer words (list of tuples) of the tokens ``distinct`` (by id), and per VADER
    look-up word (``words``: word -> id, holding the special words first; extended here) its
    flags, valence and booster value (``wflag, wval, wboost``) and the words by id (``wstr``).

    Each row equals what ``token_props(tok)`` (``sentiment._token_props``) gives; pure-ASCII
    tokens and those whose other characters are curly quotes, dashes or the ellipsis
    (``_is_quote``: 26.4k of the pool's 26.9k non-ASCII distinct tokens) are analysed here,
    character by character (``ascii_fast``; tested equal to the tuple path on every token of
    the shipped pool and on synthetic tokens), others through ``token_props``. Why: the tuple
    path cost ~0.25 s CPU for the pool's non-ASCII tokens, in every worker's first chunks. ``w_from``: the word arrays cover only the words with id >= ``w_from``
    (those of earlier calls are unchanged: a per-process table extended call by call)."""
    cdef Py_ssize_t T = len(distinct), t, n, a, b, i, j, la, lb, ncore, sa, sb
    cdef bint quotes, curly
    cdef str tok, item, low, ltok, core, w
    cdef Py_UCS4 c0, c1, c
    cdef bint in_lex, cap, allcaps, long_alpha, up_item, any_digit, any_lower
    cdef unsigned int f, mk
    cdef list lrn
    tflag_a = np.zeros(T, dtype=np.uint32)
    tmask_a = np.zeros(T, dtype=np.uint32)
    tlow_a = np.zeros(T, dtype=np.int32)
    texcl_a = np.zeros(T, dtype=np.int32)
    tquest_a = np.zeros(T, dtype=np.int32)
    mexcl_a = np.zeros(T, dtype=np.int32)
    mquest_a = np.zeros(T, dtype=np.int32)
    cdef unsigned int[::1] tflag = tflag_a, tmask = tmask_a
    cdef int[::1] tlow = tlow_a, texcl = texcl_a, tquest = tquest_a
    cdef int[::1] mexcl = mexcl_a, mquest = mquest_a
    cdef list learned = []
    for t in range(T):
        tok = distinct[t]
        quotes = not tok.isascii()
        if not ascii_fast or (quotes and not _ascii_or_quotes(tok)):
            _props_from_tuple(
                token_props(tok), t, words, tflag, tmask, tlow, texcl, tquest, mexcl, mquest,
                learned,
            )
            continue
        n = len(tok)
        # core = tok.strip(sentiment._PUNCT): [a, b); st = tok.strip(string.punctuation):
        # [sa, sb) (the same span for an ASCII token)
        a = 0
        while a < n and (_is_punct(tok[a]) or (quotes and _is_quote(tok[a]))):
            a += 1
        b = n
        while b > a and (_is_punct(tok[b - 1]) or (quotes and _is_quote(tok[b - 1]))):
            b -= 1
        ncore = b - a
        sa, sb = a, b
        if quotes:
            sa = 0
            while sa < n and _is_punct(tok[sa]):
                sa += 1
            sb = n
            while sb > sa and _is_punct(tok[sb - 1]):
                sb -= 1
        # item = tok if len(st) <= 2 else st; tok.find(item) == sa (tok[:sa] is ASCII
        # punctuation, item[0] is not)
        if sb - sa <= 2:
            la, lb = 0, n
        else:
            la, lb = sa, sb
        item = tok[la:lb]
        low = item.lower()
        in_lex = low in lex
        cap = ncore > 0 and _is_upper(tok[a])
        allcaps = ncore > 1 and _ascii_isupper(tok, a, b)
        long_alpha = ncore >= 4
        if long_alpha:
            for i in range(a, b):
                c = tok[i]
                if not (_is_upper(c) or _is_lower(c)):
                    long_alpha = False
                    break
        ltok = tok.lower()
        # learned words: _WORD_RE = [a-z]+(?:['’-][a-z]+)* on the lower-cased token with ’
        # replaced by '
        curly = quotes and "’" in ltok
        lrn = []
        any_lower = False
        any_digit = False
        i = 0
        while i < n:
            c = ltok[i]
            if 48 <= c <= 57:
                any_digit = True
            if not _is_lower(c):
                i += 1
                continue
            any_lower = True
            j = i
            while j < n and _is_lower(ltok[j]):
                j += 1
            while j + 1 < n and (ltok[j] == 39 or ltok[j] == 45 or ltok[j] == 0x2019) \
                    and _is_lower(ltok[j + 1]):
                j += 1
                while j < n and _is_lower(ltok[j]):
                    j += 1
            w = ltok[i:j]
            if curly:
                w = w.replace("’", "'")
            if w not in identity:
                lrn.append(w)
            i = j
        if not lrn and any_digit and not any_lower:
            lrn.append("<num>")
        learned.append(tuple(lrn))
        f = 0
        mk = 0
        if in_lex:
            f |= T_INLEX
        if low in hitset:
            f |= T_HIT
            mk |= B_HIT
        if cap:
            f |= T_CAP
            mk |= B_CAP
            if not allcaps and ncore > 1:
                f |= T_SINGLE
            if allcaps or ncore <= 1:
                f |= T_RUNNY
        c1 = tok[n - 1]
        c0 = tok[0]
        # _INITIAL_AFTER / _OPENERS / _RUN_END, their ASCII and _is_quote members
        if c1 in '.!?:;"(' or c1 == 0x2014 or c1 == 0x2013 or c1 == 0x201C or ncore == 0:
            f |= T_NEXT_INIT
        if c0 in "\"'([" or c0 == 0x201C or c0 == 0x2018:
            f |= T_FIRST_OPEN
        if long_alpha:
            f |= T_LONG
            if not cap:
                f |= T_LONG_LOWER
                mk |= B_LONG_LOWER
        # the listed-name trigger can only match a token holding the first character of one
        # of the listed entries (``listed_chars[c]``, all ASCII; a cheap test before the regex)
        if listed_rx is not None and _any_char(tok, n, listed_chars) \
                and listed_rx.search(tok) is not None:
            mk |= B_LISTED
        if pattern_always or low in pattern_words:
            mk |= B_PATTERN
        if low in descriptive:
            f |= T_DESC
            mk |= B_DESC
        if ncore == n and ltok in connectors:
            f |= T_CONNECTOR
        if c1 in ',.;:!?)"' or c1 == 0x201D:
            f |= T_RUN_END
        if low in negate or low.endswith("n't"):
            f |= T_NEG
            mk |= B_NEG
        if low in booster:
            f |= T_BOOST
            mk |= B_BOOST
        if _ascii_isupper(tok, 0, n):
            f |= T_UP
        texcl[t] = _count(tok, 0, n, 33)
        tquest[t] = _count(tok, 0, n, 63)
        if in_lex:
            # masked = tok[:la] + placeholder + tok[lb:] (tok.find(item) == la)
            up_item = (lb - la) > 1 and _ascii_isupper(tok, la, lb)
            if up_item and not _has_lower(tok, 0, la) and not _has_lower(tok, lb, n):
                f |= T_UP_MASKED  # "ENTITY" and no lower-case letter around it
            mexcl[t] = _count(tok, 0, la, 33) + _count(tok, lb, n, 33)
            mquest[t] = _count(tok, 0, la, 63) + _count(tok, lb, n, 63)
        else:
            if f & T_UP:
                f |= T_UP_MASKED
            mexcl[t] = texcl[t]
            mquest[t] = tquest[t]
        tflag[t] = f
        tmask[t] = mk
        got = words.get(low)
        if got is None:
            got = len(words)
            words[low] = got
        tlow[t] = got
    cdef list wstr = list(words)
    cdef Py_ssize_t nw = len(wstr) - w_from
    wflag_a = np.zeros(nw, dtype=np.uint32)
    wval_a = np.zeros(nw, dtype=np.float64)
    wboost_a = np.zeros(nw, dtype=np.float64)
    cdef unsigned int[::1] wflag = wflag_a
    cdef double[::1] wval = wval_a, wboost = wboost_a
    for t in range(nw):
        w = wstr[w_from + t]
        f = 0
        got = lex.get(w)
        if got is not None:
            f |= W_INLEX
            wval[t] = got
        if w in hitset:
            f |= W_HIT
        got = booster.get(w)
        if got is not None:
            f |= W_BOOST
            wboost[t] = got
        if w in negate or "n't" in w:
            f |= W_NEGV
        if w in idiom_triggers:
            f |= W_IDIOM
        wflag[t] = f
    return {
        "tflag": tflag_a, "tmask": tmask_a, "tlow": tlow_a, "texcl": texcl_a,
        "tquest": tquest_a, "mexcl": mexcl_a, "mquest": mquest_a, "learned": learned,
        "wflag": wflag_a, "wval": wval_a, "wboost": wboost_a, "wstr": wstr,
    }


cdef inline bint _has_lower(str s, Py_ssize_t a, Py_ssize_t b):
    cdef Py_ssize_t i
    for i in range(a, b):
        if _is_lower(s[i]):
            return True
    return False


# --------------------------------------------------------------------------- trained layer
def token_ids(list tokens):
    """``sentiment._token_ids``: the distinct words of a batch (first-seen order), the id of
    every token (flat, int64) and the number of tokens per sentence (int64)."""
    cdef Py_ssize_t n = len(tokens), r, total = 0, k = 0
    cdef list toks
    cdef dict index = {}
    cdef list words = []
    cdef PyObject* hit
    lens_a = np.zeros(n, dtype=np.int64)
    cdef long long[::1] lens = lens_a
    for r in range(n):
        lens[r] = len(<list>tokens[r])
        total += lens[r]
    uid_a = np.zeros(total, dtype=np.int64)
    cdef long long[::1] uid = uid_a
    for r in range(n):
        toks = tokens[r]
        for w in toks:
            hit = PyDict_GetItem(index, w)
            if hit == NULL:
                uid[k] = len(words)
                index[w] = len(words)
                words.append(w)
            else:
                uid[k] = <object>hit
            k += 1
    return words, uid_a, lens_a


def lex_dot(list lexes, dict vocab, const double[::1] coef):
    """``_count_matrix(lexes, vocab, values=True) @ coef`` (scipy's CSR mat-vec adds each row's
    entries in stored order, i.e. dict order, from 0.0: the same sums, in the same order)."""
    cdef Py_ssize_t n = len(lexes), r
    cdef double s
    cdef PyObject* hit
    out_a = np.zeros(n, dtype=np.float64)
    cdef double[::1] out = out_a
    cdef dict d
    for r in range(n):
        d = lexes[r]
        s = 0.0
        for g, x in d.items():
            hit = PyDict_GetItem(vocab, g)
            if hit != NULL:
                s += <double>x * coef[<Py_ssize_t><object>hit]
        out[r] = s
    return out_a


cdef inline bint _any_char(str s, Py_ssize_t n, const unsigned char[::1] table):
    cdef Py_ssize_t i
    cdef Py_UCS4 c
    for i in range(n):
        c = s[i]
        if c < 128 and table[c]:
            return True
    return False


def spans_tokens(str text, list spans):
    """``sentiment._spans_tokens``: indices (sorted) of the whitespace tokens of ``text``
    overlapping any of the ``(start, end)`` character spans (``str.split``'s and ``\\S+``'s
    whitespace: ``Py_UNICODE_ISSPACE``)."""
    cdef Py_ssize_t n = len(text), i = 0, j, ntok = 0, a, b, k
    cdef list starts = [], ends = []
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        j = i
        while j < n and not text[j].isspace():
            j += 1
        starts.append(i)
        ends.append(j)
        ntok += 1
        i = j
    cdef bytearray hit = bytearray(ntok)
    for a, b in spans:
        for k in range(ntok):
            if <Py_ssize_t>starts[k] < b and <Py_ssize_t>ends[k] > a:
                hit[k] = 1
    return [k for k in range(ntok) if hit[k]]


ctypedef fused index_t:
    int
    long long


def tfidf_terms(
    const double[::1] data, const index_t[::1] indices, const double[::1] idf,
    const double[::1] coef, const double[::1] logtab,
):
    """Per stored entry of a count matrix, ``x * x`` and ``x * coef[j]`` with
    ``x = (1.0 + log(count)) * idf[j]`` (``sentiment._tfidf_dot``'s element-wise terms, one
    pass instead of seven numpy passes). ``log`` is read from ``logtab`` (``np.log`` of
    1..len(logtab), so the same values numpy computes); ``None`` when a count is not a whole
    number in that range (the caller then uses numpy)."""
    cdef Py_ssize_t n = data.shape[0], i, k, nt = logtab.shape[0]
    cdef double d, x
    xx_a = np.empty(n, dtype=np.float64)
    xc_a = np.empty(n, dtype=np.float64)
    cdef double[::1] xx = xx_a, xc = xc_a
    cdef index_t j
    for i in range(n):
        d = data[i]
        if not (d >= 1.0 and d <= nt):
            return None
        k = <Py_ssize_t>d
        if <double>k != d:
            return None
        j = indices[i]
        x = (1.0 + logtab[k - 1]) * idf[j]
        xx[i] = x * x
        xc[i] = x * coef[j]
    return xx_a, xc_a


cdef double _pairwise_sum(const double* a, Py_ssize_t n) noexcept:
    """numpy's pairwise summation of ``a[0:n]`` (``pairwise_sum`` in numpy's loops_utils.h:
    below 8 terms one after the other from -0.0, up to 128 terms eight interleaved partial sums
    combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) then the rest one after the
    other, above 128 the two halves (cut at a multiple of 8) summed apart and added)."""
    cdef Py_ssize_t i, n2
    cdef double res, r0, r1, r2, r3, r4, r5, r6, r7
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[i]
        return res
    if n <= 128:
        r0 = a[0]
        r1 = a[1]
        r2 = a[2]
        r3 = a[3]
        r4 = a[4]
        r5 = a[5]
        r6 = a[6]
        r7 = a[7]
        i = 8
        while i < n - (n % 8):
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _pairwise_sum(a, n2) + _pairwise_sum(a + n2, n - n2)


cdef inline double _reduceat_sum(const double* a, Py_ssize_t n) noexcept:
    """``np.add.reduceat``'s sum of one segment ``a[0:n]`` (n >= 1): the first term, then the
    pairwise sum of the others added to it (numpy's reduce-like inner loop)."""
    cdef double first = a[0]
    if n > 1:
        first += _pairwise_sum(a + 1, n - 1)
    return first


def reduceat_sums(const double[::1] data, const long long[::1] starts):
    """``np.add.reduceat(data, starts)`` for increasing ``starts`` (tests compare the two)."""
    cdef Py_ssize_t n = starts.shape[0], i, a, b
    out_a = np.zeros(n, dtype=np.float64)
    cdef double[::1] out = out_a
    for i in range(n):
        a = starts[i]
        b = starts[i + 1] if i + 1 < n else data.shape[0]
        out[i] = _reduceat_sum(&data[a], b - a)
    return out_a


cdef struct _Acc:
    double s
    Py_ssize_t nxt


def char_tfidf_dot(
    const long long[::1] gid, const long long[::1] off,
    const index_t[::1] gp, const index_t[::1] gj, const double[::1] gx,
    const double[::1] idf, const double[::1] coef, const double[::1] logtab,
):
    """Per sentence ``i`` (tokens ``gid[off[i]:off[i + 1]]``, rows of the word x n-gram count
    matrix ``gp, gj, gx``): the summed squares and the dot with ``coef`` of the sublinear TF-IDF
    terms of its n-gram counts, as ``sentiment._tfidf_dot`` computes them from
    ``S @ G`` (scipy's ``csr_matmat``): the same counts, the entries of a row in the product's
    order (the reverse of the order in which the n-grams are first met), the same terms
    (``tfidf_terms``) and numpy's ``reduceat`` summation. Returns ``(sq, dot)``, zero for a
    sentence without an n-gram, or ``None`` when a count is not a whole number in ``logtab``'s
    range (the caller then takes the sparse product)."""
    cdef Py_ssize_t n = off.shape[0] - 1, ncol = idf.shape[0], nt = logtab.shape[0]
    cdef Py_ssize_t i, t, kk, k, head, temp, length, jj, m, cap = 64, kd
    cdef double d, x
    sq_a = np.zeros(n, dtype=np.float64)
    dot_a = np.zeros(n, dtype=np.float64)
    cdef double[::1] sq = sq_a, dot = dot_a
    # scipy's ``sums`` and ``next`` of each column side by side (one cache line per look-up)
    cdef _Acc* acc = <_Acc*>malloc((ncol if ncol else 1) * sizeof(_Acc))
    cdef double* xx = <double*>malloc(cap * sizeof(double))
    cdef double* xc = <double*>malloc(cap * sizeof(double))
    cdef bint bad = False
    if xx == NULL or xc == NULL or acc == NULL:
        free(xx)
        free(xc)
        free(acc)
        raise MemoryError()
    for k in range(ncol):
        acc[k].s = 0.0
        acc[k].nxt = -1
    try:
        for i in range(n):
            head = -2
            length = 0
            for t in range(off[i], off[i + 1]):
                for kk in range(gp[gid[t]], gp[gid[t] + 1]):
                    k = gj[kk]
                    acc[k].s += 1.0 * gx[kk]
                    if acc[k].nxt == -1:
                        acc[k].nxt = head
                        head = k
                        length += 1
            if length > cap:
                while cap < length:
                    cap *= 2
                free(xx)
                free(xc)
                xx = <double*>malloc(cap * sizeof(double))
                xc = <double*>malloc(cap * sizeof(double))
                if xx == NULL or xc == NULL:
                    raise MemoryError()
            m = 0
            for jj in range(length):
                d = acc[head].s
                if d != 0:
                    if not (d >= 1.0 and d <= nt):
                        bad = True
                    else:
                        kd = <Py_ssize_t>d
                        if <double>kd != d:
                            bad = True
                        else:
                            x = (1.0 + logtab[kd - 1]) * idf[head]
                            xx[m] = x * x
                            xc[m] = x * coef[head]
                            m += 1
                temp = head
                head = acc[head].nxt
                acc[temp].nxt = -1
                acc[temp].s = 0
            if bad:
                return None
            if m:
                sq[i] = _reduceat_sum(xx, m)
                dot[i] = _reduceat_sum(xc, m)
    finally:
        free(xx)
        free(xc)
        free(acc)
    return sq_a, dot_a


cdef int _cmp_ll(const void* a, const void* b) noexcept nogil:
    cdef long long x = (<const long long*>a)[0], y = (<const long long*>b)[0]
    return (x > y) - (x < y)


def word_tfidf_dot(
    const long long[::1] col, const long long[::1] comp, const long long[::1] off,
    const long long[::1] codes, const long long[::1] bcols, long long k,
    const double[::1] idf, const double[::1] coef, const double[::1] logtab,
):
    """Per sentence ``i`` (tokens ``off[i]:off[i + 1]``): the summed squares and the dot with
    ``coef`` of the sublinear TF-IDF terms of its word 1-2-gram counts, as
    ``sentiment._tfidf_dot(sentiment._word_counts(...))`` computes them: a token's unigram
    column ``col`` (-1: none), a pair of adjacent tokens whose bigram ids ``comp`` (-1: none)
    form a code ``comp[j] * k + comp[j + 1]`` found in the sorted ``codes`` (column
    ``bcols``); the row's columns in ascending order with their counts (the canonical CSR row
    scipy builds from the coordinates), the terms of ``tfidf_terms`` and numpy's ``reduceat``
    summation. Returns ``(sq, dot)``, or ``None`` when a count exceeds ``logtab``."""
    cdef Py_ssize_t n = off.shape[0] - 1, nc = codes.shape[0], nt = logtab.shape[0]
    cdef Py_ssize_t i, t, a, b, lo, hi, mid, m, q, cap = 256, need, cnt
    cdef long long code, c
    cdef double x
    sq_a = np.zeros(n, dtype=np.float64)
    dot_a = np.zeros(n, dtype=np.float64)
    cdef double[::1] sq = sq_a, dot = dot_a
    cdef long long* cols = <long long*>malloc(cap * sizeof(long long))
    cdef double* xx = <double*>malloc(cap * sizeof(double))
    cdef double* xc = <double*>malloc(cap * sizeof(double))
    try:
        if cols == NULL or xx == NULL or xc == NULL:
            raise MemoryError()
        for i in range(n):
            a = off[i]
            b = off[i + 1]
            need = 2 * (b - a)
            if need > cap:
                while cap < need:
                    cap *= 2
                free(cols)
                free(xx)
                free(xc)
                cols = <long long*>malloc(cap * sizeof(long long))
                xx = <double*>malloc(cap * sizeof(double))
                xc = <double*>malloc(cap * sizeof(double))
                if cols == NULL or xx == NULL or xc == NULL:
                    raise MemoryError()
            m = 0
            for t in range(a, b):
                if col[t] >= 0:
                    cols[m] = col[t]
                    m += 1
                if t + 1 < b and nc and comp[t] >= 0 and comp[t + 1] >= 0:
                    code = comp[t] * k + comp[t + 1]
                    lo = 0  # np.searchsorted(codes, code) (side="left")
                    hi = nc
                    while lo < hi:
                        mid = (lo + hi) >> 1
                        if codes[mid] < code:
                            lo = mid + 1
                        else:
                            hi = mid
                    if lo < nc and codes[lo] == code:
                        cols[m] = bcols[lo]
                        m += 1
            if m == 0:
                continue
            if m <= 24:  # (a sentence's few columns: insertion sort, no comparator calls)
                for t in range(1, m):
                    c = cols[t]
                    q = t - 1
                    while q >= 0 and cols[q] > c:
                        cols[q + 1] = cols[q]
                        q -= 1
                    cols[q + 1] = c
            else:
                qsort(cols, m, sizeof(long long), _cmp_ll)
            q = 0
            t = 0
            while t < m:
                c = cols[t]
                cnt = 0
                while t < m and cols[t] == c:
                    cnt += 1
                    t += 1
                if cnt > nt:
                    return None
                x = (1.0 + logtab[cnt - 1]) * idf[c]
                xx[q] = x * x
                xc[q] = x * coef[c]
                q += 1
            sq[i] = _reduceat_sum(xx, q)
            dot[i] = _reduceat_sum(xc, q)
    finally:
        free(cols)
        free(xx)
        free(xc)
    return sq_a, dot_a


def ids_of(list words, dict index):
    """The id of each of ``words`` in ``index`` (word -> id), adding the words not in it with
    ids ``len(index)``, ``len(index) + 1``, ... in order (``sentiment._char_rows_cached``)."""
    cdef Py_ssize_t n = len(words), k
    cdef PyObject* hit
    cdef long long tid
    out_a = np.empty(n, dtype=np.int64)
    cdef long long[::1] out = out_a
    for k in range(n):
        w = words[k]
        hit = PyDict_GetItem(index, w)
        if hit == NULL:
            tid = len(index)
            index[w] = tid
        else:
            tid = <object>hit
        out[k] = tid
    return out_a


def token_values(list words, dict table, const long long[::1] uid):
    """``table.get(words[u], -1)`` for each ``u`` of ``uid`` (an int64 array): the words are
    looked up once each, then spread to the tokens (``sentiment._word_tfidf_dot``)."""
    cdef Py_ssize_t nw = len(words), n = uid.shape[0], k
    cdef PyObject* hit
    per_a = np.empty(nw, dtype=np.int64)
    out_a = np.empty(n, dtype=np.int64)
    cdef long long[::1] per = per_a, out = out_a
    for k in range(nw):
        hit = PyDict_GetItem(table, words[k])
        per[k] = -1 if hit == NULL else <long long>(<object>hit)
    for k in range(n):
        out[k] = per[uid[k]]
    return out_a



def learned_ids(list learned, dict index, list words):
    """The ids of the learned words of each token (``learned``: a tuple of words per token) in
    ``index`` (word -> id, with ``words`` by id; both extended with new words), flat (int32),
    and the offsets of each token's ids (n + 1, int64)."""
    cdef Py_ssize_t n = len(learned), t, k = 0, total = 0
    cdef PyObject* hit
    cdef tuple tup
    for t in range(n):
        total += len(<tuple>learned[t])
    flat_a = np.empty(total, dtype=np.int32)
    off_a = np.zeros(n + 1, dtype=np.int64)
    cdef int[::1] flat = flat_a
    cdef long long[::1] off = off_a
    for t in range(n):
        tup = learned[t]
        for w in tup:
            hit = PyDict_GetItem(index, w)
            if hit == NULL:
                flat[k] = len(words)
                index[w] = len(words)
                words.append(w)
            else:
                flat[k] = <int>(<object>hit)
            k += 1
        off[t + 1] = k
    return flat_a, off_a
