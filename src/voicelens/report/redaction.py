"""Remove personal details from quotes before they are shown: e-mail addresses, URLs,
dates (dates of birth included), phone numbers and personal names.

Rules, in this order (each replaces what it finds with a placeholder such as ``[EMAIL]``):

1. ``email``: ``name@domain.tld``.
2. ``url``: ``http(s)://…``, ``www.…`` and bare domains with a common ending (``.com``,
   ``.org``, ``.nhs.uk``, …).
3. ``date``: full calendar dates — ``12/03/1965``, ``1965-03-12``, ``12th March 1965``,
   ``March 12, 1965`` — and a month or year after "born", "DOB" or "date of birth".
   Month-and-year alone ("since March 2024") is kept: it is how people date treatment.
4. ``phone``: runs of 9–15 digits with the usual separators (``07700 900123``,
   ``+44 (0)20 7946 0958``, ``(555) 123-4567``). Other long identifiers such as NHS
   numbers (``943 476 5919``) are caught by the same rule.
5. ``name``: a word after a title or role ("Dr Patel", "Nurse Jenny", "my physio sam");
   a capitalised given name from a list of ~4,900 (US Census 1990 names minus English
   words, plus names common in UK feedback; see ``data/``), together with a capitalised
   surname after it ("Sarah Jones"); given names that are also words ("Hope", "Will",
   "Grace") only mid-sentence. Names before "Ward", "Hospital", "Unit", … and after
   "St" are places and are kept. ``extra_names`` (a staff list, say) are matched in any case.

This is a documented, tested heuristic, not a guarantee: surnames on their own, names
written in lower case without a title and nicknames can get through, and some words are
removed that were not names. Presidio was considered and not used: its name finder
needs a spaCy model that is not installable offline from PyPI here.

>>> r = redact("Dr Patel and Sarah Jones (sarah.j@example.com, 07700 900123) were great")
>>> r.text
'Dr [NAME] and [NAME] ([EMAIL], [PHONE]) were great'
>>> r.counts["name"], r.total
(2, 4)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal

Kind = Literal["email", "url", "date", "phone", "name"]
KINDS: tuple[Kind, ...] = ("email", "url", "date", "phone", "name")
PLACEHOLDERS: dict[str, str] = {k: f"[{k.upper()}]" for k in KINDS}

_TLD = r"(?:com|org|net|info|biz|io|co|gov|edu|nhs\.uk|org\.uk|co\.uk|ac\.uk|gov\.uk|uk|ie|eu|us|ca|au|de|fr)"
_MAIL_HOSTS = r"(?:gmail|googlemail|yahoo|hotmail|outlook|live|msn|icloud|me|aol|protonmail|btinternet|sky|virginmedia|talktalk|nhs)"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
                    rf"|\b[A-Za-z0-9._%+-]+\s*(?:\(at\)|\[at\])\s*[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.{_TLD}\b"
                    rf"|\b[A-Za-z0-9._%+-]+\s+at\s+{_MAIL_HOSTS}(?:\.[A-Za-z0-9-]+)*\.{_TLD}\b",
                    re.IGNORECASE)
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"']+"
    rf"|\b[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.{_TLD}\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_FULL_DATE = (
    r"\b\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)(?:\d{4}|\d{2})\b"  # 12/03/1965, 3.5.70
    r"|\b\d{4}-\d{1,2}-\d{1,2}\b"                           # 1965-03-12
    rf"|\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}\b"         # 12th of March 1965
    rf"|\b{_MONTH}\s+{_DAY},?\s+\d{{4}}\b"                   # March 12, 1965
)
_DATE = re.compile(
    rf"(?P<full>{_FULL_DATE})"
    rf"|\b(?:dob|d\.o\.b\.?|date\s+of\s+birth|born(?:\s+(?:on|in))?)\s*[:\-]?\s*"
    rf"(?P<cued>(?:{_MONTH}\s+)?\d{{4}}\b)",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w/.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d(?:[\s.-]?\d){6,14}(?![\w/])")
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")

#: A name followed by one of these is a place ("Florence Ward", "St Mary's Hospital").
_PLACES = frozenset("""ward wards hospital hospitals unit centre center clinic clinics house
street road lane avenue infirmary surgery practice court lodge suite wing building hall
hospice trust foundation""".split())
#: Words after which the next word is taken as a name ("Dr Patel", "my physio Sam").
TITLES = frozenset("""dr doctor mr mrs ms miss mx prof professor nurse sister matron sr physio
physiotherapist therapist counsellor counselor midwife surgeon consultant receptionist carer
psychologist psychiatrist paramedic gp ot cpn hca""".split())
#: Words after a title that are not names ("Nurse Practitioner", "Dr and").
_NOT_AFTER_TITLE = frozenset("""practitioner practitioners specialist specialists team teams and or
the a an was were is are who which that said told says tells had has have did does i my our
your their his her it they we you he she this there then but so for with at on in of to from
led advisor advisors assistant assistants""".split()) | _PLACES
#: ... an eponym ("Wilson disease", "Barrett's oesophagus", "Bell's palsy") ...
_EPONYM_OF = frozenset("""disease diseases syndrome palsy disorder phenomenon esophagus oesophagus
contracture sign test scale fracture lymphoma""".split())
#: ... or a course or service ("the Desmond course"); not after a possessive ("Sarah's team").
_NOT_PERSON_AFTER = _PLACES | _EPONYM_OF | frozenset("""course courses programme program diet
method technique service services""".split())
#: Capitalised words that never continue a name ("Sarah Monday", "Tom I").
_NOT_SURNAME = frozenset("""i the and or but so a an if then thanks thank you monday tuesday
wednesday thursday friday saturday sunday january february march april may june july august
september october november december""".split()) | _PLACES | TITLES
_KEEP_PHRASES = frozenset({("marie", "curie"), ("florence", "nightingale"), ("mary", "seacole")})
_SAINTS = frozenset({"st", "saint"})
_ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sr"})


@dataclass(frozen=True)
class Redaction:
    """A redacted text and how many things of each kind were removed from it."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _load_names(filename: str) -> frozenset[str]:
    text = resources.files("voicelens.report").joinpath("data", filename).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def first_names() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, given names that are also words), lower-cased, from ``data/``."""
    return _load_names("first_names.txt"), _load_names("ambiguous_first_names.txt")


class Redactor:
    """Configurable redaction; :func:`redact` uses one with the defaults.

    kinds: which rules run (default all of :data:`KINDS`).
    extra_names: names to remove wherever they appear, in any case (e.g. a staff list).
    keep: words never removed as names (e.g. a clinic called "Florence").

    >>> Redactor(extra_names=["Bramwell"]).redact("ask for bramwell at reception").text
    'ask for [NAME] at reception'
    """

    def __init__(self, kinds: Iterable[Kind] = KINDS, *, extra_names: Iterable[str] = (),
                 keep: Iterable[str] = ()):
        self.kinds = tuple(kinds)
        self.extra_names = tuple(extra_names)
        self.keep = tuple(keep)

    def redact(self, text: str) -> Redaction:
        """Redact one text; ``counts`` has every kind that ran (zero included)."""
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"kinds {unknown} are not known; choose from {list(KINDS)}")
        counts = {kind: 0 for kind in self.kinds}
        patterns = {"email": _EMAIL, "url": _URL, "date": _DATE, "phone": _PHONE}
        for kind in KINDS:
            if kind not in counts:
                continue
            if kind == "name":
                spans = self._name_spans(text)
            else:
                spans = [m.span("cued" if kind == "date" and m.group("cued") else 0)
                         for m in patterns[kind].finditer(text)]
                if kind == "url":
                    spans = [(s, e - len(text[s:e]) + len(text[s:e].rstrip(".,;:!?)"))) for s, e in spans]
                if kind == "phone":
                    spans = [(s, e) for s, e in spans if 9 <= sum(c.isdigit() for c in text[s:e]) <= 15]
            counts[kind] = len(spans)
            text = _replace(text, spans, PLACEHOLDERS[kind])
        return Redaction(text, counts)

    def _name_spans(self, text: str) -> list[tuple[int, int]]:
        given, ambiguous = first_names()
        extra = {n.lower() for n in self.extra_names}
        keep = {n.lower() for n in self.keep}
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        bases = [_base(w) for _, _, w in words]
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            start, end, word = words[i]
            base = bases[i]
            low = base.lower()
            prev_gap = text[words[i - 1][1]:start] if i else ""
            after_saint = i > 0 and bases[i - 1].lower() in _SAINTS and prev_gap.strip() in ("", ".")
            name_at = None
            if low in extra and low not in keep:
                name_at = i
            elif low in TITLES and i + 1 < len(words) and _title_gap(low, text[end:words[i + 1][0]]):
                nxt = bases[i + 1]
                initial = len(nxt) == 1 and nxt.isupper()
                if initial and i + 2 < len(words) and _capitalised(bases[i + 2]):
                    spans.append((words[i + 1][0], _name_end(words, bases, i + 2, text)))
                    i += 3
                    continue
                if (nxt.lower() not in _NOT_AFTER_TITLE and nxt.lower() not in keep
                        and (_capitalised(nxt) or nxt.lower() in given or nxt.lower() in extra)):
                    name_at = i + 1
            elif (_capitalised(base) and low not in keep and not after_saint
                  and (low in given or (low in ambiguous and not _sentence_start(text, words, i)))
                  and not _before_place(words, bases, i) and not _before_number(text, words, i)
                  and (low, bases[i + 1].lower() if i + 1 < len(words) else "") not in _KEEP_PHRASES):
                name_at = i
            if name_at is None:
                i += 1
                continue
            s = words[name_at][0]
            e = _name_end(words, bases, name_at, text)
            spans.append((s, e))
            i = name_at + 1
            while i < len(words) and words[i][0] < e:
                i += 1
        return spans


def _base(word: str) -> str:
    """'Sarah's' -> 'Sarah'."""
    return re.sub(r"['’]s$", "", word)


def _capitalised(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and not word.isupper()


def _title_gap(title: str, gap: str) -> bool:
    """Only spaces between a title and a name ("Dr. Patel": a dot after an abbreviation)."""
    return gap == " " or gap.isspace() and "\n" not in gap or (title in _ABBREVIATIONS and gap.strip() == ".")


def _sentence_start(text: str, words: list[tuple[int, int, str]], i: int) -> bool:
    if i == 0:
        return True
    gap = text[words[i - 1][1]:words[i][0]]
    return any(c in gap for c in ".!?:;\n\"“(")


def _before_place(words, bases, i: int) -> bool:
    """'Florence Nightingale Ward', 'Wilson disease', 'Barrett's oesophagus'."""
    for j in range(i + 1, min(i + 4, len(words))):
        possessive = words[j - 1][2] != bases[j - 1]
        if bases[j].lower() in (_EPONYM_OF if possessive else _NOT_PERSON_AFTER):
            return True
        if not _capitalised(bases[j]):
            return False
    return False


def _before_number(text: str, words, i: int) -> bool:
    """'Jan 09', 'Diane 35': a month or a product, not a person."""
    return bool(re.match(r"\s?\d", text[words[i][1]:]))


def _name_end(words, bases, i: int, text: str) -> int:
    """End of the name starting at word ``i``: the word itself (without 's), plus one
    following capitalised surname separated by a single space."""
    start, end, word = words[i]
    end = start + len(bases[i])
    if i + 1 < len(words):
        nxt = bases[i + 1]
        gap = text[words[i][1]:words[i + 1][0]]
        if (gap == " " and words[i][2] == bases[i] and _capitalised(nxt) and nxt.lower() not in _NOT_SURNAME
                or gap == " " and nxt[:2] in ("Mc", "O'", "O’")):
            end = words[i + 1][0] + len(nxt)
    return end


def _replace(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    for s, e in sorted(spans, reverse=True):
        text = text[:s] + placeholder + text[e:]
    return text


@lru_cache(maxsize=1)
def _default() -> Redactor:
    return Redactor()


def redact(text: str) -> Redaction:
    """Redact ``text`` with the default rules (see the module docstring).

    >>> redact("Call me on 0161 496 0000 or see www.example.org. Born 3rd May 1961.").text
    'Call me on [PHONE] or see [URL]. Born [DATE].'
    """
    return _default().redact(text)
