"""Sentence splitting with nltk's Punkt, without any ``nltk.download``.

Long sentences are cut into word windows so that nothing is silently
truncated by the encoder's maximum length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .backends.base import SentenceBatch

#: Longest sentence (in words) passed to an encoder in one piece; the
#: all-MiniLM-L6-v2 encoder reads at most 256 word pieces.
MAX_SENTENCE_WORDS = 120

_ABBREVIATIONS = {
    "dr", "mr", "mrs", "ms", "prof", "st", "e.g", "i.e", "etc", "vs", "approx",
    "mg", "ml", "hrs", "hr", "min", "mins", "wk", "wks", "no", "dept", "appt", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}
#: Punkt reads a long line in blocks of at most this many characters, cut at a sentence
#: end where there is one. nltk runs each of its regular expressions under a 5-second
#: wall-clock limit per call, and a 1 MB line can take longer on a busy machine, which
#: made one long answer raise TimeoutError for the whole analysis.
MAX_BLOCK_CHARS = 10_000
_LINE_BREAKS = re.compile(r"\s*(?:\r?\n|\r|\u2028|\u2029)\s*(?:[-*\u2022]\s+)?")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _punkt():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(_ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def _windows(sentence: str, max_words: int) -> list[str]:
    words = sentence.split(" ")
    if len(words) <= max_words:
        return [sentence]
    return [" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words)]


def _blocks(line: str, limit: int = MAX_BLOCK_CHARS) -> Iterator[str]:
    """Cut ``line`` (single-spaced) into pieces of at most ``limit`` characters, losing nothing."""
    while len(line) > limit:
        window = line[:limit]
        cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? ")) + 1
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        yield line[:cut]
        line = line[cut:].lstrip(" ")
    yield line


def split_sentences(text: str, max_words: int = MAX_SENTENCE_WORDS) -> list[str]:
    """Split ``text`` into sentences; line breaks and bullets also end a sentence.

    >>> split_sentences("Dr. Lee was kind. My pain is gone!\\nI sleep again")
    ['Dr. Lee was kind.', 'My pain is gone!', 'I sleep again']
    """
    tokenizer = _punkt()
    sentences: list[str] = []
    for line in _LINE_BREAKS.split(text):
        line = _SPACES.sub(" ", line).strip()
        if not line:
            continue
        for block in _blocks(line):
            for sentence in tokenizer.tokenize(block):
                sentence = sentence.strip()
                if sentence:
                    sentences.extend(_windows(sentence, max_words))
    return sentences


def dedupe_sentences(texts: list[str], questions: list[str | None]) -> SentenceBatch:
    """Split texts into sentences, each distinct sentence kept once for the whole batch.

    >>> batch = dedupe_sentences(["My pain is gone. Thanks!", "Thanks!"], [None, None])
    >>> batch.sentences, batch.responses
    (['My pain is gone.', 'Thanks!'], [[0, 1], [1]])
    """
    from .backends.base import SentenceBatch

    position: dict[str, int] = {}
    responses = []
    for text in texts:
        idx = [position.setdefault(s, len(position)) for s in split_sentences(text)]
        responses.append(idx or [position.setdefault(text, len(position))])
    return SentenceBatch(list(position), responses, questions)
