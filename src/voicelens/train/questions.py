"""Survey questions by what they ask, in many wordings: for teaching and measuring what a
question does to an answer's sentiment ("Nothing" after "What could we do better?" is praise)
rather than two exact strings.

``vary_questions`` draws a wording of each row's question type at random; the ``HELD_OUT``
wordings are never trained on and measure questions a model has not seen
(``scripts/question_effect.py``, leave one trust out).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Wordings used in training, by question type.
WORDINGS = {
    "improve": [
        "What could we do better?", "What could be improved?", "Is there anything we could have done better?",
        "What would have made your experience better?", "What should we change?",
        "Please tell us what we could improve", "What did we not do so well?",
        "If you could change one thing about our service, what would it be?",
    ],
    "good": [
        "What was good?", "What did we do well?", "What went well?", "What did you like about the service?",
        "Please tell us about anything we did particularly well", "What was good about your care?",
        "Which part of your visit did you value most?",
    ],
    "open": [
        "Please tell us why you gave this rating", "Anything else?", "Any other comments?",
        "Please describe your experience", "Is there anything else you would like to tell us?",
        "Tell us about your experience of our service",
    ],
}
#: Wordings never trained on: the measure of questions the model has not seen.
HELD_OUT = {
    "improve": ["How could we improve?", "What could we have done differently?"],
    "good": ["What did we get right?", "What did you like most?"],
    "open": ["Why did you give this answer?", "Please describe anything you were particularly satisfied or "
                                              "dissatisfied with"],
}
#: The questions the corpora carry, by type (phase-1 gives types, not texts).
KNOWN = {**{w: t for t, ws in WORDINGS.items() for w in ws},
         "What could we do better?": "improve", "What was good?": "good"}
#: Share of question-free texts (reviews) that get an open question in training: an open
#: question must not change what an answer means.
OPEN_SHARE = 0.25


def question_type(question: object) -> str | None:
    """``improve``, ``good``, ``open`` or None (no question, or one of unknown type)."""
    if not isinstance(question, str):
        return None
    return KNOWN.get(question.strip())


def vary_questions(questions: pd.Series, rng: np.random.Generator, *, open_share: float = OPEN_SHARE,
                   wordings: dict[str, list[str]] = WORDINGS) -> pd.Series:
    """Each known question replaced by a random wording of its type; a share of the rows
    without a question given an open one. Unknown questions are kept as they are.

    >>> rng = np.random.default_rng(0)
    >>> out = vary_questions(pd.Series(["What was good?", None]), rng, open_share=1.0)
    >>> out[0] in WORDINGS["good"], out[1] in WORDINGS["open"]
    (True, True)
    """
    out = []
    for q in questions:
        kind = question_type(q)
        if kind is not None:
            out.append(wordings[kind][int(rng.integers(len(wordings[kind])))])
        elif not isinstance(q, str) and rng.random() < open_share:
            out.append(wordings["open"][int(rng.integers(len(wordings["open"])))])
        else:
            out.append(q if isinstance(q, str) else None)
    return pd.Series(out, index=questions.index, dtype=object)
