"""The comments of a synthesis, on plain Python data (no Django): their language, campaigns
of copied letters, the themes of each recommendation's comments and the proposed rewordings
that say the same thing.

Copies and rewordings are found the same way, in steps that stay linear in the number of
comments (100,000 in a few seconds):

1. texts equal once normalised (casefolded, without punctuation nor diacritics, single
   spaces) are one: this catches most campaigns at no cost;
2. each remaining text becomes the set of its character n-grams (3 to 5 characters within
   word boundaries, as scikit-learn's `char_wb`) and a MinHash sketch of that set;
3. texts whose sketches agree on a band of bins are candidate pairs, each text paired with
   the first text of its band's bucket: a campaign of 5,000 signed variants gives about
   5,000 pairs, not the 12.5 million that comparing all pairs would;
4. candidates are checked on the cosine similarity of their n-gram sets, and texts linked
   by checked pairs, directly or through others, form a group.

The n-grams are weighted by presence, without inverse document frequency: IDF gives the
rare n-grams of a signature or a typo the largest weights, which is exactly what tells
copies apart (300 signed copies of a letter fall to a cosine of 0.81 with TF-IDF, stay above
0.9 without). Presence rather than counts also makes the sketches' agreement a close
estimate of the cosine, so that hopeless candidates are dropped before any check.

Themes use word TF-IDF (stop words of each language), k-means with k chosen by silhouette,
and report for each cluster its most distinctive terms and the comments nearest its centre.
"""

import multiprocessing
import os
import re
import sys
import unicodedata
import warnings
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.metrics.pairwise import cosine_distances
from threadpoolctl import threadpool_limits

LANGUAGES = ("en", "fr", "es", "ar", "ru")
DEFAULT_LANGUAGE = "en"
MIN_WORDS = 4  # below this, a given language hint beats detection
MIN_CONFIDENCE = 0.6
DETECTION_CHARS = 120  # a sentence or two tells these five languages apart

DUPLICATE_THRESHOLD = 0.9
REWORDING_THRESHOLD = 0.8
NGRAM_SIZES = (3, 4, 5)
NGRAM_BITS = 21  # and 11 bits for the text in a block: keys fit 32 bits
# MinHash sketches of 64 bins, cut in bands of 4 bins (16 bands) to find copies: texts of
# Jaccard 0.8 share a band with probability 0.9998, of Jaccard 0.3 with probability 0.12;
# in bands of 3 (21 bands) for the looser rewordings.
SKETCH_BINS = 64
CLOSE, ROWS_CLOSE, ROWS_LOOSE = 0.85, 4, 3
# Two n-gram sets of cosine t have a Jaccard of at least about t / (2 - t) (0.82 at 0.9, 0.67
# at 0.8); candidates whose sketches agree 0.2 less (4 standard deviations) are not checked.
SKETCH_SLACK = 0.2
CHECKED_AT_ONCE = 4_000  # pairs
BLOCK = 2_000  # texts (< 2**11): arrays stay small enough to be reused, not mapped afresh

MIN_CLUSTERED = 3  # fewer comments make one theme
PARALLEL_FROM = 20_000  # comments; below, starting worker processes costs more than it saves
CAMPAIGN_MIN_COPIES = 3  # copies that make a form-letter campaign
CAMPAIGN_MIN_CHARS = 40  # shorter identical replies are agreement, not a campaign
SILHOUETTE_SAMPLE = 1000
MIN_SILHOUETTE = 0.01  # below this no split into themes is better than one theme
MAX_TERMS = 5
SEED = 2024

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_CYRILLIC = re.compile("[\u0400-\u052f]")
_LETTER = re.compile(r"[^\W\d_]")
_CLAUSE_BREAKS = frozenset('.!?;:,()[]«»"“”،؛؟\n')
_TOKEN = re.compile(r"[^\W\d_]+|[.!?;:,()\[\]«»\"“”،؛؟\n]")  # words and clause breaks


@dataclass
class Theme:
    """A cluster of comments: what distinguishes it, how many said it, and who said it best.

    `members` and `quotes` index the texts given to `themes`; `size` counts each text with
    its weight (the size of the campaign it stands for)."""

    terms: list[str]
    size: int
    members: list[int]
    quotes: list[int]


# Language


def detect_language(text: str, hint: str | None = None) -> str:
    """One of LANGUAGES. Arabic and Cyrillic script settle it; otherwise py3langid decides,
    unless the text is short or the detection unsure and a hint (the language the comment
    was written in, as the form recorded it) was given."""
    hint = _known_language(hint)
    sample = text[:DETECTION_CHARS]
    if not _LETTER.search(sample):
        return hint or DEFAULT_LANGUAGE
    if _ARABIC.search(sample) or _CYRILLIC.search(sample):
        letters = len(_LETTER.findall(sample))
        if 2 * len(_ARABIC.findall(sample)) > letters:
            return "ar"
        if 2 * len(_CYRILLIC.findall(sample)) > letters:
            return "ru"
    if hint and len(text.split(maxsplit=MIN_WORDS - 1)) < MIN_WORDS:
        return hint
    language, confidence = _identifier().classify(sample)
    if hint and confidence < MIN_CONFIDENCE:
        return hint
    return language


def _known_language(hint: str | None) -> str | None:
    """ "fr", "FR" or "fr-CA" → "fr"; anything else → None."""
    code = (hint or "").strip().lower()[:2]
    return code if code in LANGUAGES else None


@cache
def _identifier():
    """py3langid's model restricted to our five languages, loaded once (it takes ~0.5 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # Older py3langid releases call the loader from_pickled_model, 0.4 from_model_file.
    load = getattr(LanguageIdentifier, "from_model_file", None)
    if load is None:
        load = LanguageIdentifier.from_pickled_model
    identifier = load(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


# Copies and rewordings


def normalise(text: str) -> str:
    """NFKC, casefolded, without punctuation, symbols nor combining marks (Arabic harakat),
    nor tatweel, single-spaced."""
    return normalise_all([text])[0]


def normalise_all(texts: list[str]) -> list[str]:
    """`normalise` of many texts at once, on arrays of code points (2-3x faster than a
    regular expression per text)."""
    normalised = []
    for start in range(0, len(texts), BLOCK):
        normalised += _normalise_block(texts[start : start + BLOCK])
    return normalised


def _normalise_block(texts: list[str]) -> list[str]:
    joined = "\x00".join(unicodedata.normalize("NFKC", text).casefold() for text in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    kind = _ACTIONS[codes]
    unknown = kind == _UNKNOWN
    if unknown.any():
        for code in np.unique(codes[unknown]).tolist():
            _ACTIONS[code] = _action(code)
        kind = _ACTIONS[codes]
    codes = np.where(kind == _SPACE, np.uint32(32), codes)[kind != _DELETE]
    # Single spaces, none at either end of a text.
    space, separator = codes == 32, codes == 0
    after_gap = np.ones(codes.size, dtype=bool)
    after_gap[1:] = space[:-1] | separator[:-1]
    codes = codes[~(space & after_gap)]
    space = codes == 32
    before_end = np.ones(codes.size, dtype=bool)
    before_end[:-1] = codes[1:] == 0
    codes = codes[~(space & before_end)]
    return codes.tobytes().decode("utf-32-le").split("\x00")


_KEEP, _SPACE, _DELETE, _UNKNOWN = 0, 1, 2, 255
_ACTIONS = np.full(sys.maxunicode + 1, _UNKNOWN, dtype=np.uint8)  # filled as met


def _action(code: int) -> int:
    """Letters and digits are kept, marks (diacritics) and the Arabic tatweel deleted, the
    rest (punctuation, symbols, spaces, controls) becomes a space."""
    category = unicodedata.category(chr(code))
    if code == 0:
        return _KEEP  # separates the texts
    if code == 0x640 or category[0] == "M":
        return _DELETE
    return _KEEP if category[0] in "LN" else _SPACE


def near_duplicates(texts: list[str], threshold: float = DUPLICATE_THRESHOLD) -> list[list[int]]:
    """Groups (of two texts or more) of copies of one text, with small edits allowed: a
    signature, a typo, punctuation, case. Largest first, indices ascending in each group."""
    return _similar_groups(normalise_all(texts), threshold)


def group_rewordings(texts: list[str], threshold: float = REWORDING_THRESHOLD) -> list[list[int]]:
    """Proposed rewordings grouped when similar; every index in exactly one group (alone if
    nothing resembles it), largest groups first."""
    groups = _similar_groups(normalise_all(texts), threshold)
    grouped = {i for group in groups for i in group}
    groups += [[i] for i in range(len(texts)) if i not in grouped]
    return _largest_first(groups)


def _similar_groups(keys: list[str], threshold: float) -> list[list[int]]:
    """Groups of two or more indices whose normalised texts are equal or similar."""
    exact: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if key:
            exact[key].append(i)
    distinct = list(exact)
    labels = _similar_labels(distinct, threshold)
    members: dict[int, list[int]] = defaultdict(list)
    for label, key in zip(labels.tolist(), distinct, strict=True):
        members[label].extend(exact[key])
    return _largest_first([sorted(group) for group in members.values() if len(group) > 1])


def _largest_first(groups: list[list[int]]) -> list[list[int]]:
    return sorted(groups, key=lambda group: (-len(group), group[0]))


def _similar_labels(texts: list[str], threshold: float) -> np.ndarray:
    """A component label per distinct, normalised, non-empty text: texts with equal labels
    are similar, directly or through others.

    Candidate pairs are checked most promising first, a block at a time; a pair whose texts
    are already linked through others is not checked again, so that a campaign of m variants
    costs about m checks."""
    n = len(texts)
    labels = np.arange(n)
    if n < 2:
        return labels
    ngrams, sketches = _profiles(texts)
    sizes = np.diff(ngrams.indptr)
    rows = ROWS_CLOSE if threshold >= CLOSE else ROWS_LOOSE
    first, second = _candidate_pairs(sketches, rows)
    agreement = _agreement(sketches, first, second)
    promising = agreement >= threshold / (2 - threshold) - SKETCH_SLACK
    order = np.argsort(-agreement[promising], kind="stable")
    first, second = first[promising][order], second[promising][order]
    while first.size:
        a, b = first[:CHECKED_AT_ONCE], second[:CHECKED_AT_ONCE]
        shared = np.asarray(ngrams[a].multiply(ngrams[b]).sum(axis=1)).ravel()
        linked = shared >= threshold * np.sqrt(sizes[a] * sizes[b])  # cosine ≥ threshold
        merged = sparse.coo_matrix(
            (np.ones(linked.sum()), (labels[a[linked]], labels[b[linked]])), shape=(n, n)
        )
        labels = connected_components(merged, directed=False)[1][labels]
        first, second = first[CHECKED_AT_ONCE:], second[CHECKED_AT_ONCE:]
        apart = labels[first] != labels[second]
        first, second = first[apart], second[apart]
    return labels


_MIX_1 = np.uint32(0x85EBCA6B)
_MIX_2 = np.uint32(0xC2B2AE35)
_BASE = np.uint32(0x01000193)
_BAND_BASE = np.uint64(0x9E3779B97F4A7C15)
_BIN_BITS = SKETCH_BINS.bit_length() - 1
_VALUE_BITS = NGRAM_BITS - _BIN_BITS
_EMPTY = np.uint32(1 << (_VALUE_BITS + _BIN_BITS))


def _mix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser: spreads a uint32 hash over all 32 bits."""
    h = h ^ (h >> np.uint32(16))
    h *= _MIX_1
    h ^= h >> np.uint32(13)
    h *= _MIX_2
    return h ^ (h >> np.uint32(16))


def _profiles(texts: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """(n-grams, sketches) of normalised texts, computed a block of texts at a time.

    n-grams: the set of each text's character n-grams (NGRAM_SIZES), taken within words
    padded by a space as scikit-learn's `char_wb` does, hashed into 2**NGRAM_BITS columns, as
    a boolean matrix (7x faster than scikit-learn's `char_wb` analyser, which is Python).
    sketches: one-permutation MinHash of the same sets: sketches[i, j] is the smallest
    n-gram of text i in bin j, so two texts agree on a bin with a probability equal to the
    Jaccard similarity of their n-gram sets."""
    blocks = [_profile_block(texts[start : start + BLOCK]) for start in range(0, len(texts), BLOCK)]
    ngrams = sparse.vstack([ngrams for ngrams, _sketches in blocks], format="csr")
    return ngrams, np.concatenate([sketches for _ngrams, sketches in blocks])


def _profile_block(texts: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    joined = "\x00".join(f" {text} " for text in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    separator = codes == 0
    boundary = separator | (codes == 32)
    doc = np.cumsum(separator, dtype=np.uint32)
    keys = []
    h, inside = codes.copy(), np.ones(codes.size, dtype=bool)
    for n in range(2, NGRAM_SIZES[-1] + 1):
        # h[i] hashes the n characters from i on; an n-gram stays within a padded word.
        m = codes.size - n + 1
        h = h[:m] * _BASE + codes[n - 1 :]
        inside = inside[:m] & ~boundary[n - 2 : n - 2 + m] if n > 2 else inside[:m]
        if n < NGRAM_SIZES[0]:
            continue
        at = np.flatnonzero(inside & ~separator[:m] & ~separator[n - 1 :])
        column = _mix(h[at] + np.uint32(n)) >> np.uint32(32 - NGRAM_BITS)
        keys.append((doc[at] << np.uint32(NGRAM_BITS)) | column)
    # Sorted (text, n-gram) keys give each text's set of n-grams, and the smallest n-gram in
    # each sketch bin (the bin is the n-gram's top bits) as the first of its run.
    key = np.concatenate(keys)
    key.sort()
    start = np.ones(key.size, dtype=bool)
    start[1:] = key[1:] != key[:-1]
    unique = key[start]
    rows = (unique >> np.uint32(NGRAM_BITS)).astype(np.int64)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
    columns = (unique & np.uint32((1 << NGRAM_BITS) - 1)).astype(np.int32)
    present = np.ones(unique.size, dtype=bool)
    ngrams = sparse.csr_matrix((present, columns, indptr), shape=(len(texts), 1 << NGRAM_BITS))

    cell = unique >> np.uint32(_VALUE_BITS)  # text * SKETCH_BINS + bin
    first = np.ones(cell.size, dtype=bool)
    first[1:] = cell[1:] != cell[:-1]
    sketches = np.full(len(texts) * SKETCH_BINS, _EMPTY, dtype=np.uint32)
    sketches[cell[first]] = unique[first] & np.uint32((1 << _VALUE_BITS) - 1)
    return ngrams, _densify(sketches.reshape(len(texts), SKETCH_BINS))


def _densify(sketches: np.ndarray) -> np.ndarray:
    """Short texts leave bins empty: an empty bin takes the next full bin's value
    (circularly), marked by the distance so that it never equals a genuine value."""
    short = np.flatnonzero((sketches == _EMPTY).any(axis=1))
    short = short[(sketches[short] != _EMPTY).any(axis=1)]  # not a text without n-grams
    if short.size:
        k = SKETCH_BINS
        doubled = np.concatenate([sketches[short], sketches[short]], axis=1)
        position = np.where(doubled != _EMPTY, np.arange(2 * k), 2 * k - 1)
        source = np.minimum.accumulate(position[:, ::-1], axis=1)[:, ::-1][:, :k]
        distance = (source - np.arange(k)).astype(np.uint32)
        rows = np.arange(short.size)[:, None]
        sketches[short] = doubled[rows, source] + (distance << np.uint32(_VALUE_BITS))
    return sketches


def _candidate_pairs(sketches: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(first, second) with first < second: texts agreeing on a band of `rows` bins of their
    sketch, each paired with the first text of the band's bucket (linear, whatever the size of
    a campaign). More rows, fewer and closer candidates."""
    n = sketches.shape[0]
    pairs = []
    for band in range(SKETCH_BINS // rows):
        values = sketches[:, band * rows : (band + 1) * rows].astype(np.uint64)
        key = values[:, 0]
        for row in range(1, rows):
            key = key * _BAND_BASE + values[:, row]
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        start = np.ones(n, dtype=bool)
        start[1:] = ordered[1:] != ordered[:-1]
        head = order[start][np.cumsum(start) - 1]
        linked = head != order
        pairs.append(head[linked] * n + order[linked])
    codes = np.sort(np.concatenate(pairs))  # np.unique hashes, ~100x slower here
    new = np.ones(codes.size, dtype=bool)
    new[1:] = codes[1:] != codes[:-1]
    codes = codes[new]
    return codes // n, codes % n


def _agreement(sketches, first, second) -> np.ndarray:
    """Share of sketch bins on which each pair agrees: an estimate of their Jaccard."""
    agreement = np.empty(first.size)
    for start in range(0, first.size, CHECKED_AT_ONCE):
        block = slice(start, start + CHECKED_AT_ONCE)
        agreement[block] = (sketches[first[block]] == sketches[second[block]]).mean(axis=1)
    return agreement


# Themes


def themes(
    texts: list[str],
    language: str,
    max_themes: int = 6,
    quotes: int = 2,
    weights: list[int] | None = None,
) -> list[Theme]:
    """The themes of one recommendation's comments in one language, largest first.

    Pass one representative per campaign and its size in `weights`: a campaign is one voice
    when clustering and in the terms, but its size counts in the theme's size. Quotes are
    the members nearest the theme's centre, as indices (the texts are never altered)."""
    n = len(texts)
    if n == 0:
        return []
    weights = [1] * n if weights is None else [int(w) for w in weights]
    tfidf = _tfidf(texts, language)
    if tfidf is None:
        return [Theme([], sum(weights), list(range(n)), list(range(min(quotes, n))))]
    labels = _clusters(tfidf, max_themes) if n >= MIN_CLUSTERED else np.zeros(n, dtype=int)
    found = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        found.append(
            Theme(
                terms=_distinctive_terms(tfidf, labels == label),
                size=sum(weights[i] for i in members),
                members=members.tolist(),
                quotes=_nearest_centre(tfidf, members, quotes),
            )
        )
    return sorted(found, key=lambda theme: (-theme.size, theme.members[0]))


def _tfidf(texts: list[str], language: str):
    """(matrix, vocabulary) of word unigrams and bigrams, or None if no word carries meaning."""
    analyser = _Analyser(language)
    attempts = [2, 1] if len(texts) >= 10 else [1]
    for min_df in attempts:
        vectoriser = TfidfVectorizer(analyzer=analyser, min_df=min_df, sublinear_tf=True)
        try:
            matrix = vectoriser.fit_transform(texts)
        except ValueError:  # empty vocabulary
            continue
        return matrix, vectoriser.get_feature_names_out()
    return None


class _Analyser:
    """Words (letters only, stop words out) and pairs of neighbouring words in a clause."""

    def __init__(self, language: str):
        self.language = language
        self.stop_words = STOP_WORDS.get(language, frozenset())

    def __call__(self, text: str) -> list[str]:
        text = text.casefold()
        if self.language == "ar":
            text = _ARABIC_MARKS.sub("", text)
        elif self.language == "ru":
            text = text.replace("ё", "е")
        terms, previous = [], ""
        for token in _TOKEN.findall(text):
            if token in _CLAUSE_BREAKS:
                previous = ""
            elif len(token) > 1 and token not in self.stop_words:
                terms.append(token)
                if previous:
                    terms.append(f"{previous} {token}")
                previous = token
        return terms


def _clusters(tfidf, max_themes: int) -> np.ndarray:
    """k-means labels, k from 1 to max_themes: the k of best silhouette (cosine, on a sample),
    or 1 when no split is clearly better than none."""
    matrix, _terms = tfidf
    n = matrix.shape[0]
    best, best_score = np.zeros(n, dtype=int), MIN_SILHOUETTE
    upper = min(max_themes, n - 1)
    if upper < 2:
        return best
    rng = np.random.default_rng(SEED)
    sample = (
        np.sort(rng.choice(n, SILHOUETTE_SAMPLE, replace=False)) if n > SILHOUETTE_SAMPLE else None
    )
    distances = cosine_distances(matrix if sample is None else matrix[sample])
    for k in range(2, upper + 1):
        # One thread: on a few thousand comments, OpenMP's threads cost more than they
        # save (8x slower on a busy 2-core machine).
        with warnings.catch_warnings(), threadpool_limits(1, user_api="openmp"):
            # Fewer distinct comments than k: k-means says so, and the silhouette decides.
            warnings.simplefilter("ignore", ConvergenceWarning)
            labels = KMeans(n_clusters=k, n_init=1, random_state=SEED).fit_predict(matrix)
        sampled = labels if sample is None else labels[sample]
        if len(np.unique(sampled)) < 2:
            continue
        score = silhouette_score(distances, sampled, metric="precomputed")
        if score > best_score:
            best, best_score = labels, score
    return best


def _distinctive_terms(tfidf, inside: np.ndarray) -> list[str]:
    """Up to MAX_TERMS terms whose mean TF-IDF is highest in the cluster compared with the
    rest; a term sharing a word with a better one adds nothing and is passed over."""
    matrix, vocabulary = tfidf
    mean_inside = np.asarray(matrix[inside].mean(axis=0)).ravel()
    if inside.all():
        score = mean_inside
    else:
        score = mean_inside - np.asarray(matrix[~inside].mean(axis=0)).ravel()
    chosen: list[str] = []
    seen: set[str] = set()
    for j in np.argsort(-score, kind="stable"):
        if score[j] <= 0 or len(chosen) == MAX_TERMS:
            break
        words = set(vocabulary[j].split())
        if words & seen:
            continue
        chosen.append(str(vocabulary[j]))
        seen |= words
    return chosen


def _nearest_centre(tfidf, members: np.ndarray, quotes: int) -> list[int]:
    matrix, _terms = tfidf
    rows = matrix[members]
    centre = np.asarray(rows.mean(axis=0)).ravel()
    similarity = rows @ centre
    order = np.lexsort((members, -similarity))
    return members[order[:quotes]].tolist()


# A consultation's comments


def analyse_comments(comments) -> dict[int, dict]:
    """For each recommendation commented on: languages, campaigns, themes per language and
    groups of proposed rewordings. Indices point into `comments`, whose items need the
    attributes `recommendation`, `text`, `language` (a hint, may be empty) and
    `proposed_text` (e.g. `consulta.synthesis.adapter.Comment`).

    Each campaign is one voice in its language's themes (its most common form stands for it)
    but all its members count in the theme's size and members. Comments without text (only a
    proposed rewording) are left out of languages, campaigns and themes."""
    by_recommendation: dict[int, list[int]] = defaultdict(list)
    for i, comment in enumerate(comments):
        by_recommendation[comment.recommendation].append(i)
    workers = min(os.cpu_count() or 1, len(by_recommendation))
    if len(comments) < PARALLEL_FROM or workers < 2:
        return {
            recommendation: _analyse_recommendation(comments, indices)
            for recommendation, indices in sorted(by_recommendation.items())
        }
    # Recommendations are independent: analyse them on every core, largest first.
    order = sorted(by_recommendation, key=lambda r: -len(by_recommendation[r]))
    subsets = [
        [
            _Comment(0, c.text, c.language, c.proposed_text)
            for c in map(comments.__getitem__, by_recommendation[r])
        ]
        for r in order
    ]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = list(pool.map(_analyse_all, subsets))
    return {
        recommendation: _renumbered(result, by_recommendation[recommendation])
        for recommendation, result in sorted(zip(order, results, strict=True))
    }


class _Comment(NamedTuple):
    recommendation: int
    text: str
    language: str
    proposed_text: str


def _analyse_all(subset: list[_Comment]) -> dict:
    return _analyse_recommendation(subset, list(range(len(subset))))


def _renumbered(result: dict, indices: list[int]) -> dict:
    """A subset's result with its positions turned back into indices of all the comments."""
    return {
        "languages": result["languages"],
        "duplicates": [
            {
                "size": d["size"],
                "members": [indices[m] for m in d["members"]],
                "example": indices[d["example"]],
            }
            for d in result["duplicates"]
        ],
        "themes": {
            language: [
                Theme(
                    terms=theme.terms,
                    size=theme.size,
                    members=[indices[m] for m in theme.members],
                    quotes=[indices[q] for q in theme.quotes],
                )
                for theme in found
            ]
            for language, found in result["themes"].items()
        },
        "rewordings": [[indices[m] for m in group] for group in result["rewordings"]],
    }


def _analyse_recommendation(comments, indices: list[int]) -> dict:
    with_text = [i for i in indices if comments[i].text.strip()]
    texts = [comments[i].text for i in with_text]
    keys = normalise_all(texts)
    groups = _similar_groups(keys, DUPLICATE_THRESHOLD)
    stands_for: dict[int, list[int]] = {}  # representative → the comments it stands for
    duplicates = []
    for group in groups:
        example = _most_common_form(group, keys, texts)
        members = [with_text[i] for i in group]
        if len(members) >= CAMPAIGN_MIN_COPIES and len(keys[example]) >= CAMPAIGN_MIN_CHARS:
            # A form letter is reported on its own, with its count, and kept out of the themes
            # (counted as one voice it would land in, and swell, whichever theme is nearest).
            duplicates.append(
                {"size": len(members), "members": members, "example": with_text[example]}
            )
        else:
            # Short identical replies ("Agreed.") are not campaigns: they weigh in the themes.
            stands_for[example] = members
    grouped = {i for group in groups for i in group}
    for i in range(len(with_text)):
        if i not in grouped:
            stands_for[i] = [with_text[i]]

    by_language: dict[str, list[int]] = defaultdict(list)
    for representative in sorted(stands_for):
        comment = comments[with_text[representative]]
        by_language[detect_language(comment.text, comment.language)].append(representative)

    languages = Counter()
    found_themes = {}
    for language in sorted(by_language):
        representatives = by_language[language]
        weights = [len(stands_for[r]) for r in representatives]
        languages[language] = sum(weights)
        found_themes[language] = [
            Theme(
                terms=theme.terms,
                size=theme.size,
                members=sorted(i for m in theme.members for i in stands_for[representatives[m]]),
                quotes=[with_text[representatives[q]] for q in theme.quotes],
            )
            for theme in themes(
                [comments[with_text[r]].text for r in representatives], language, weights=weights
            )
        ]

    for campaign in duplicates:
        example = comments[campaign["example"]]
        languages[detect_language(example.text, example.language)] += campaign["size"]

    proposing = [i for i in indices if comments[i].proposed_text.strip()]
    rewordings = group_rewordings([comments[i].proposed_text for i in proposing])
    return {
        "languages": dict(languages.most_common()),
        "duplicates": duplicates,
        "themes": found_themes,
        "rewordings": [[proposing[i] for i in group] for group in rewordings],
    }


def _most_common_form(group: list[int], keys: list[str], texts: list[str]) -> int:
    """The member written as most of the campaign wrote it: of the most frequent normalised
    text, the most frequent exact text; the first on ties."""
    forms = Counter(keys[i] for i in group)
    spellings = Counter(texts[i] for i in group)
    return min(group, key=lambda i: (-forms[keys[i]], -spellings[texts[i]], i))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Stop words: function words only (articles, pronouns, prepositions, conjunctions, auxiliary
# and modal verbs), casefolded; Arabic without diacritics, Russian with е for ё.

STOP_WORDS = {
    "en": ENGLISH_STOP_WORDS,
    "fr": _words(
        """
        au aux avec ce ces dans de des du elle elles en et eux il ils je la le les leur leurs
        lui ma mais me même mêmes mes moi mon ne nos notre nous on ou où par pas pour qu que
        qui quoi sa se ses son sur ta te tes toi ton tu un une vos votre vous cet cette ceux
        celle celles celui ceci cela ça est sont été être étaient était étant sera seront
        serait seraient soit soient ai as avons avez ont avait avaient aura auront aurait
        auraient avoir eu fait faire font doit doivent devrait devraient devrait peut peuvent
        pourrait pourraient comme donc ainsi alors aussi autre autres avant après bien car
        chaque contre dont encore entre ici lors moins non oui plus peu sans selon si sous
        tous tout toute toutes très trop vers via afin aujourd hui déjà dès depuis lorsque
        notamment plusieurs quand quel quelle quelles quels quelque quelques tant tel telle
        tels telles toujours également etc ni car puis leurs celles parmi chez pendant
        jusqu jusque lequel laquelle lesquels lesquelles auquel auxquels duquel desquels
        cependant toutefois néanmoins pourtant ailleurs certes surtout aucun aucune nul nulle
        chacun chacune rien personne cet ces cela celle là ci voici voilà
        """
    ),
    "es": _words(
        """
        al algo alguna algunas alguno algunos ante antes como con contra cual cuales cuando de
        del desde donde durante el ella ellas ellos en entre era eran es esa esas ese eso esos
        esta estaba estado estamos están estar estas este esto estos estoy está fue fueron fui
        ha había han has hasta hay la las le les lo los más me mi mis mucho muchos muy mí nada
        ni no nos nosotros nuestra nuestras nuestro nuestros os otra otras otro otros para pero
        poco por porque que quien quienes qué se sea sean ser si sido sin sobre somos son soy
        su sus también tanto te tiene tienen tener todo todos toda todas tu tus un una uno
        unos unas ya él cada debe deben debería deberían puede pueden podría podrían así además
        según sino tal tales través vez bien solo sólo cómo dónde cuándo mismo misma mismos
        mismas hacer hace hacen ello dicho dicha dichos dichas ambos ambas aquí allí entonces
        ahora hacia mientras aunque siempre pues luego tan cuyo cuya cuyos cuyas demás dentro
        fuera incluso mediante sí vuestra vuestro hemos habrá haber será serán sería serían
        esté estén estas aquel aquella aquellos aquellas
        """
    ),
    "ru": _words(
        """
        и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
        ее мне было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть
        был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где
        есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет
        ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем
        чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть
        после над больше тот через эти нас про всего них какая много разве три эту моя
        впрочем свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
        всю между это также должны должен должна должно следует которые который которая
        которое которых которым которой является являются свои своих своей свой своим
        очень весь вся все всем всеми такие такая такое таких каждый каждая каждого
        однако поэтому либо именно кроме около против среди ради будут будем являться
        """
    ),
    "ar": _words(
        """
        في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين اللذين اللتين اللواتي هو هي
        هم هن هما نحن أنا انا أنت انت أنتم انتم كان كانت يكون تكون كانوا يكونوا قد لقد لا لم
        لن ما ماذا متى أين اين كيف إن ان أن إذا اذا إذ اذ ثم أو او أم ام بل لكن لكنه حتى كل
        بعض غير بين عند عندما منذ حيث قبل بعد فوق تحت خلال ضد نحو لدى لها له لهم لهن بها به
        بهم فيها فيه فيهم منها منه منهم عليها عليه عليهم إليها إليه اليه اليها وهو وهي وقد
        ولا ولم وفي ومن وعلى وأن وان وإن كما أيضا ايضا يجب ينبغي يمكن ذات هناك هنا إلا الا
        أي اي أية اية ليس ليست لي لنا لكم وكان وكانت فإن فان فقد فلا ولكن وما إنه انه إنها
        انها أنه أنها عليها هؤلاء اولئك أولئك سوف حول دون لدينا تم يتم كذلك وذلك وهذا وهذه
        ثمة إما اما سواء جميع كلا لذلك بذلك هكذا مثل لأن لان
        """
    ),
}
