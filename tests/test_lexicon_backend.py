import voicelens as vl


def test_vader_baseline_runs_without_nltk_download_and_shows_its_blind_spot():
    res = vl.Analyzer(backend="lexicon", show_progress_bar=False).analyze(
        ["The staff were wonderful", "Awful, rude and slow", "I no longer have pain"])
    assert list(res.responses["sentiment"][:2]) == ["positive", "negative"]
    # The lexicon reads "no ... pain" as negative: the reason voicelens has trained heads.
    assert res.responses.loc[2, "sentiment"] == "negative"
    assert res.responses.loc[2, "pain_reduction"] != "absent"
