"""Text as the search sees it: folded (lower case, no accents), split into words, stemmed in Italian.

SQLite's FTS5 has no Italian stemmer, so on SQLite the index stores the stems made here (``index_text``) and
queries are stemmed the same way. PostgreSQL stems with its own Snowball dictionary; both use the Snowball
Italian algorithm on unaccented words. The few function words in ``STOP_WORDS`` are dropped from queries on
both databases ("la città" searches "città"); they stay in the index.
"""

from __future__ import annotations

import re
import threading
import unicodedata

import snowballstemmer

WORD = re.compile(r"[^\W_]+")
MAX_QUERY_TERMS = 16
STOP_WORDS = frozenset(
    [
        "a",
        "ad",
        "al",
        "alla",
        "alle",
        "allo",
        "agli",
        "ai",
        "all",
        "c",
        "che",
        "chi",
        "ci",
        "col",
        "con",
        "d",
        "da",
        "dal",
        "dalla",
        "dalle",
        "dallo",
        "dagli",
        "dai",
        "dall",
        "de",
        "degli",
        "dei",
        "del",
        "dell",
        "della",
        "delle",
        "dello",
        "di",
        "e",
        "ed",
        "gli",
        "i",
        "il",
        "in",
        "l",
        "la",
        "le",
        "lo",
        "ma",
        "ne",
        "negli",
        "nei",
        "nel",
        "nell",
        "nella",
        "nelle",
        "nello",
        "non",
        "o",
        "od",
        "per",
        "piu",
        "se",
        "si",
        "su",
        "sul",
        "sull",
        "sulla",
        "sulle",
        "sullo",
        "sugli",
        "sui",
        "tra",
        "fra",
        "un",
        "una",
        "uno",
    ]
)

_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    # Snowball stemmers keep state while stemming: one per thread (routes run in a thread pool).
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("italian")
    return stemmer


def fold(text: str) -> str:
    """Lower case without accents ("Città di Forlì" -> "citta di forli")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters and digits; apostrophes, hyphens and the rest split)."""
    return WORD.findall(fold(text))


def stem(word: str) -> str:
    """The Italian Snowball stem of one folded word ("partecipazione" -> "partecip")."""
    return str(_stemmer().stemWord(word))


def index_text(text: str) -> str:
    """What the SQLite index stores for ``text``: its stems, separated by spaces."""
    return " ".join(stem(w) for w in words(text))


def query_words(q: str) -> list[str]:
    """The folded words a query searches, without function words and repeats (at most 16)."""
    out: list[str] = []
    for word in words(q):
        if word not in STOP_WORDS and word not in out:
            out.append(word)
    return out[:MAX_QUERY_TERMS]


def snippet(text: str, stems: set[str], *, width: int = 160) -> str:
    """An extract of ``text`` around the first word whose stem is in ``stems`` (its start when none is)."""
    flat = " ".join(text.split())
    if not flat:
        return ""
    hit = next((m for m in WORD.finditer(flat) if stem(fold(m.group())) in stems), None)
    start = 0 if hit is None else max(0, hit.start() - width // 3)
    if start > 0:
        space = flat.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else 0
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start else end
    return ("…" if start > 0 else "") + flat[start:end] + ("…" if end < len(flat) else "")
