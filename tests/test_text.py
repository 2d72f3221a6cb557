from voicelens.text import MAX_SENTENCE_WORDS, split_sentences


def test_abbreviations_and_line_breaks():
    assert split_sentences("Dr. Lee was kind. My pain is gone!\n- I sleep again") == [
        "Dr. Lee was kind.", "My pain is gone!", "I sleep again"]


def test_long_text_is_split_never_truncated():
    words = [f"w{i}" for i in range(1000)]
    pieces = split_sentences(" ".join(words))
    assert all(len(p.split()) <= MAX_SENTENCE_WORDS for p in pieces)
    assert " ".join(pieces).split() == words


def test_empty_and_whitespace():
    assert split_sentences("") == []
    assert split_sentences(" \n \n") == []
