"""The wheel carries models/ so an installed voicelens finds its assets without the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_models_and_themes(tmp_path):
    pytest.importorskip("hatchling")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    str(ROOT), "-w", str(tmp_path)], check=True)
    wheel = next(tmp_path.glob("voicelens-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ["voicelens/models/themes/outcomes.yaml", "voicelens/models/themes/patient_experience.yaml",
                   "voicelens/models/heads/sentiment.safetensors", "voicelens/models/heads/MODEL_CARD.md",
                   "voicelens/models/encoder/minilm_lora.safetensors",
                   "voicelens/models/encoder/README.md", "voicelens/py.typed"]:
        assert needed in names
    assert not any(n.endswith((".pkl", ".bin", ".npz")) for n in names)
