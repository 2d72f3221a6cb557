from __future__ import annotations

import pytest

import voicelens as vl

CUSTOM = """
themes:
  - name: side_effects
    description: Unwanted effects of the treatment such as nausea, weight gain or tiredness
    positive_examples: ["no side effects at all"]
    negative_examples: ["the nausea was awful"]
    owner: quality team
  - name: cost
    description: What treatment cost the patient
    positive_examples: ["it was free"]
    negative_examples: ["far too expensive"]
"""


def test_default_themes_ship_with_descriptions_and_examples():
    themes = vl.ThemeSet.default()
    assert themes.names == ["pain_reduction", "daily_function", "hope"]
    for theme in themes:
        assert theme.description and theme.positive_examples and theme.negative_examples


def test_patient_experience_pack_covers_the_named_aspects():
    names = vl.ThemeSet.pack("patient_experience").names
    for required in ["staff_manner", "timeliness", "communication", "food", "cleanliness", "activities",
                     "access_and_transport", "appointments"]:
        assert required in names


def test_custom_yaml_theme_file_drives_the_result_columns(tmp_path):
    path = tmp_path / "my_themes.yaml"
    path.write_text(CUSTOM)
    res = vl.Analyzer(backend="fake", themes=str(path)).analyze(["no side effects, it was free"])
    assert {"side_effects", "side_effects_score", "side_effects_evidence", "cost"} <= set(res.responses.columns)
    assert "pain_reduction" not in res.responses.columns
    themes = vl.ThemeSet.from_yaml(path)
    assert themes[0].extra == {"owner": "quality team"}
    themes.to_yaml(tmp_path / "copy.yaml")
    assert vl.ThemeSet.from_yaml(tmp_path / "copy.yaml").names == ["side_effects", "cost"]


def test_list_of_themes_is_accepted():
    theme = vl.Theme("staff", "How staff treated the person", ("kind nurses",), ("rude staff",))
    res = vl.Analyzer(backend="fake", themes=[theme]).analyze(["kind nurses"])
    assert "staff" in res.responses.columns


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "Bad Name", "description": "x"}, "lower_snake_case"),
    ({"name": "sentiment", "description": "x"}, "clashes"),
    ({"name": "ok", "description": " "}, "non-empty description"),
    ({"name": "ok", "description": "x", "positive_examples": "one string"}, "list of non-empty strings"),
])
def test_invalid_themes_are_explained(kwargs, message):
    with pytest.raises(vl.ThemeError, match=message):
        vl.Theme(**kwargs)


def test_bad_theme_files_are_explained(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list")
    with pytest.raises(vl.ThemeError, match="top-level 'themes:' list"):
        vl.ThemeSet.from_yaml(bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text("themes:\n  - {name: a, description: x}\n  - {name: a, description: y}\n")
    with pytest.raises(vl.ThemeError, match="repeated"):
        vl.ThemeSet.from_yaml(dup)
