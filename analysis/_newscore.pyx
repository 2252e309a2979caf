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
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memset

import numpy as np

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
):
    """The per-sentence loop of ``sentiment._batch_features_py`` over token ids.

    ``names_py(r, mask)`` -> ``(name, marked)`` token index sets (the listed-name and
    policy-pattern regexes) is called for sentences whose mask has one of their bits; ``vader_py(words_ids, neut, lows)`` ->
    per-token scores (or ``None``) for sentences with a multi-word idiom word. Returns
    ``(counts n x 7 int64, flat_vals, flat_sid, lexes, tokens, plain, fallbacks)``, the values
    the reference loop collects (``fallbacks``: number of sentences sent to each callback)."""
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
            memset(name, 0, maxlen)
            memset(neut, 0, maxlen)
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
                if True:
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
            for i in range(ntok):
                if name[i] or neut[i]:
                    continue
                lrn = learned[ids[i]]
                if lrn:
                    toks_out.extend(lrn)
            tokens.append(toks_out)
    finally:
        free(name); free(neut); free(up); free(low); free(cur); free(sc)
    return (
        counts,
        vals_buf[:nvals].copy(),
        sid_buf[:nvals].copy(),
        lexes,
        tokens,
        plain_arr,
        (n_names_py, n_vader_py),
    )
