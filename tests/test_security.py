"""No network, no code execution from model files, clear errors on faults.

- The default path runs with sockets blocked (``no_network`` fixture).
- Model files: safetensors only, ``trust_remote_code`` never on; pickles and corrupt or
  missing files (heads, encoder, fine-tuned encoder layers) are refused with an error
  that names the file and how to fix it, and nothing in them is executed.
- Output faults: disk full (ENOSPC) and permission denied leave earlier output intact.
  We run as root, where ``chmod`` does not block writes, so the faults are injected by
  monkeypatching the OS calls ``write_table`` makes.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import voicelens as vl
from voicelens.cli import main
from voicelens.heads import LinearHead
from voicelens.io import write_table

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "testimonials.csv"


class Boom:
    """A pickle payload that creates ``marker`` when unpickled."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _pickle_bomb(path: Path, marker: Path) -> Path:
    path.write_bytes(pickle.dumps(Boom(marker)))
    return path


def _good_head(path: Path) -> Path:
    LinearHead(np.eye(2, dtype=np.float32), np.zeros(2, np.float32), ["no", "yes"]).save(path)
    return path


# -- heads -------------------------------------------------------------------------------


def test_pickle_head_is_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "PWNED"
    head = _pickle_bomb(tmp_path / "sentiment.safetensors", marker)
    with pytest.raises(vl.UnsafeModelError, match=re.escape(str(head)) + ".*pickle.*safetensors"):
        LinearHead.load(head)
    assert not marker.exists()


def test_torch_save_head_is_refused(tmp_path):
    torch = pytest.importorskip("torch")
    head = tmp_path / "mention.safetensors"
    torch.save({"weight": torch.zeros(2, 2)}, head)
    with pytest.raises(vl.UnsafeModelError, match="pickle"):
        LinearHead.load(head)


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "no-bias", "no-classes", "bad-shape"])
def test_corrupt_head_names_the_file_and_the_fix(tmp_path, damage):
    from safetensors.numpy import save_file

    head = tmp_path / "stance.safetensors"
    eye, zeros = np.eye(2, dtype=np.float32), np.zeros(2, np.float32)
    if damage == "garbage":
        head.write_bytes(os.urandom(64))
    elif damage == "empty":
        head.write_bytes(b"")
    elif damage == "truncated":
        _good_head(head)
        head.write_bytes(head.read_bytes()[:-5])
    elif damage == "no-bias":
        save_file({"weight": eye}, str(head), metadata={"classes": '["no", "yes"]'})
    elif damage == "no-classes":
        save_file({"weight": eye, "bias": zeros}, str(head))
    else:
        save_file({"weight": eye, "bias": np.zeros(3, np.float32)}, str(head),
                  metadata={"classes": '["no", "yes"]'})
    with pytest.raises(vl.ModelLoadError, match=re.escape(str(head)) + ".*voicelens.train.train_heads"):
        LinearHead.load(head)


def test_missing_head_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(vl.ModelNotFoundError, match="stance.safetensors is missing.*train_heads"):
        LinearHead.load(tmp_path / "stance.safetensors")


@pytest.fixture
def heads_folder(tmp_path) -> Path:
    """A copy of the shipped heads of the embedded backend."""
    from voicelens.assets import asset_path

    folder = tmp_path / "heads"
    shutil.copytree(asset_path("heads"), folder)
    return folder


def test_embedded_heads_folder_with_a_pickled_head_is_refused(heads_folder, tmp_path):
    from voicelens.backends.embedded import EmbeddedBackend

    marker = tmp_path / "PWNED"
    _pickle_bomb(heads_folder / "sentiment.safetensors", marker)
    with pytest.raises(vl.UnsafeModelError, match="sentiment.safetensors"):
        EmbeddedBackend(heads_path=heads_folder).heads  # noqa: B018 - the property loads
    assert not marker.exists()


def test_embedded_heads_folder_ignores_pickles_beside_good_heads(heads_folder, tmp_path):
    from voicelens.backends.embedded import EmbeddedBackend

    marker = tmp_path / "PWNED"
    for name in ("sentiment.bin", "pytorch_model.bin", "heads.pkl", "stance.pt"):
        _pickle_bomb(heads_folder / name, marker)
    heads = EmbeddedBackend(heads_path=heads_folder).heads
    assert heads.sentiment.classes == ["negative", "neutral", "positive"]
    assert not marker.exists()


def test_embedded_heads_folder_missing_a_head_names_it(heads_folder):
    from voicelens.backends.embedded import EmbeddedBackend

    (heads_folder / "outcome.safetensors").unlink()
    with pytest.raises(vl.ModelNotFoundError, match="outcome.safetensors is missing"):
        EmbeddedBackend(heads_path=heads_folder).heads  # noqa: B018


def test_embedded_heads_folder_with_a_stray_adapter_file_names_it(heads_folder):
    from voicelens.backends.embedded import EmbeddedBackend

    shutil.copy(heads_folder / "stance.safetensors", heads_folder / "adapter__x.safetensors")
    with pytest.raises(vl.ModelLoadError, match="adapter__x.safetensors is not a theme adapter"):
        EmbeddedBackend(heads_path=heads_folder).heads  # noqa: B018


def test_saving_heads_again_drops_the_earlier_adapters(heads_folder, tmp_path):
    from voicelens.backends.embedded import EmbeddedHeads

    heads = EmbeddedHeads.load(heads_folder)
    assert heads.adapters
    heads.adapters = {}
    heads.save(heads_folder)
    assert not list(heads_folder.glob("adapter__*")) and EmbeddedHeads.load(heads_folder).adapters == {}


def test_embedded_heads_folder_that_does_not_exist(tmp_path):
    from voicelens.backends.embedded import EmbeddedBackend

    with pytest.raises(vl.ModelNotFoundError, match="nowhere"):
        EmbeddedBackend(heads_path=tmp_path / "nowhere").heads  # noqa: B018


# -- the encoder (transformers loading) -----------------------------------------------


def _encoder(folder: Path):
    from voicelens.backends.minilm import MiniLMEncoder

    return MiniLMEncoder(folder, top_layers=None)


def test_pickle_only_encoder_is_refused(tiny_models, tmp_path):
    folder = tmp_path / "encoder"
    shutil.copytree(tiny_models["sentiment"], folder)
    (folder / "model.safetensors").unlink()
    marker = tmp_path / "PWNED"
    _pickle_bomb(folder / "pytorch_model.bin", marker)
    with pytest.raises(vl.UnsafeModelError, match=r"pytorch_model\.bin.*safe_serialization=True"):
        _encoder(folder).encode(["hello"])
    assert not marker.exists()


def test_corrupt_encoder_weights_name_the_folder(tiny_models, tmp_path):
    folder = tmp_path / "encoder"
    shutil.copytree(tiny_models["sentiment"], folder)
    (folder / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{garbage")
    with pytest.raises(vl.ModelLoadError, match=re.escape(str(folder))):
        _encoder(folder).encode(["hello"])


@pytest.mark.parametrize("damage", ["missing-folder", "no-config", "no-weights"])
def test_missing_encoder_files_are_named(tiny_models, tmp_path, damage):
    folder = tmp_path / "encoder"
    if damage != "missing-folder":
        shutil.copytree(tiny_models["sentiment"], folder)
        (folder / ("config.json" if damage == "no-config" else "model.safetensors")).unlink()
    with pytest.raises(vl.ModelNotFoundError, match=re.escape(str(folder))):
        _encoder(folder).encode(["hello"])


def test_corrupt_fine_tuned_layers_name_the_file_and_the_fix(tiny_models, tmp_path):
    from voicelens.backends.minilm import MiniLMEncoder

    layers = tmp_path / "minilm_lora.safetensors"
    layers.write_bytes(b"not safetensors at all")
    with pytest.raises(vl.ModelLoadError, match=re.escape(str(layers)) + ".*train.reader"):
        MiniLMEncoder(tiny_models["sentiment"], top_layers=layers).encode(["hello"])


def test_code_shipped_with_a_model_is_never_run(tiny_models, tmp_path):
    """A config whose ``auto_map`` points at Python in the folder: loaded as plain BERT."""
    from transformers import AutoModel

    from voicelens.backends.loading import load_local_model

    folder = tmp_path / "remote_code"
    shutil.copytree(tiny_models["sentiment"], folder)
    marker = tmp_path / "PWNED"
    (folder / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\n"
                                    "from transformers import BertModel as EvilModel\n"
                                    "from transformers import BertConfig as EvilConfig\n")
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoModel": "evil.EvilModel", "AutoConfig": "evil.EvilConfig"}
    (folder / "config.json").write_text(json.dumps(config))
    _, model = load_local_model(folder, AutoModel)
    assert type(model).__module__.startswith("transformers.")
    assert not marker.exists()


def test_loading_always_passes_safe_flags(tiny_models, monkeypatch):
    import transformers

    from voicelens.backends.loading import load_local_model

    seen: list[dict] = []

    def spy(real):
        def wrapped(*args, **kwargs):
            seen.append(kwargs)
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained",
                        spy(transformers.AutoTokenizer.from_pretrained))
    model_class = transformers.AutoModel
    monkeypatch.setattr(model_class, "from_pretrained", spy(model_class.from_pretrained))
    load_local_model(tiny_models["sentiment"], model_class)
    assert len(seen) == 2
    assert all(k["trust_remote_code"] is False and k["local_files_only"] is True for k in seen)
    assert seen[1]["use_safetensors"] is True


@pytest.mark.parametrize("unsafe", [{"trust_remote_code": True}, {"use_safetensors": False}])
def test_unsafe_loading_flags_cannot_be_passed(tiny_models, unsafe):
    from transformers import AutoModel

    from voicelens.backends.loading import load_local_model

    with pytest.raises(vl.UnsafeModelError, match="never runs code"):
        load_local_model(tiny_models["sentiment"], AutoModel, **unsafe)


def test_transformers_backend_has_no_remote_code_switch(tiny_models):
    an = vl.Analyzer(backend="transformers", backend_kwargs={
        "sentiment_model": str(tiny_models["sentiment"]), "trust_remote_code": True})
    with pytest.raises(TypeError, match="trust_remote_code"):
        an.analyze(["hello"])


def test_source_tree_has_no_unsafe_loading_calls():
    """A cheap guard against a later change that unpickles or trusts remote code."""
    unsafe = re.compile(r"trust_remote_code\s*=\s*True|torch\.load\(|pickle\.loads?\(|allow_pickle\s*=\s*True"
                        r"|weights_only\s*=\s*False|joblib\.load\(|(?<![.\w])(?:eval|exec)\(")
    hits = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "src").rglob("*.py")
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if unsafe.search(line)]
    assert hits == []


# -- no network ----------------------------------------------------------------------------


def test_socket_guard_works(no_network):
    import socket

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("example.org", 80), timeout=1)


@pytest.mark.parametrize("backend", ["fake", "lexicon"])
def test_light_backends_make_no_network_call(no_network, backend):
    res = vl.Analyzer(backend=backend, show_progress_bar=False).analyze(["My pain is gone.", None, "Muy bueno"])
    assert list(res.responses["status"]) == ["ok", "missing", "non_english"]
    assert no_network == []


def test_command_line_makes_no_network_call(no_network, tmp_path, capsys):
    assert main(["analyze", str(EXAMPLE), "--text-column", "text", "--by", "clinic", "--backend", "lexicon",
                 "--out", str(tmp_path / "out"), "-q"]) == 0
    assert len(pd.read_csv(tmp_path / "out" / "responses.csv")) == len(pd.read_csv(EXAMPLE))
    assert no_network == []


@pytest.mark.slow
def test_default_command_line_job_makes_no_network_call(no_network, tmp_path, monkeypatch):
    """The README's first command, embedded model and all, with sockets blocked."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)  # offline must not depend on these being set
    assert main(["analyze", str(EXAMPLE), "--text-column", "text", "--by", "clinic",
                 "--out", str(tmp_path / "out"), "-q"]) == 0
    responses = pd.read_csv(tmp_path / "out" / "responses.csv")
    assert len(responses) == len(pd.read_csv(EXAMPLE)) and responses["status"].notna().all()
    assert no_network == []


# -- output faults -------------------------------------------------------------------------


@pytest.fixture
def earlier(tmp_path) -> tuple[Path, bytes]:
    """An earlier, good output file and its bytes."""
    path = write_table(pd.DataFrame({"answer": ["n/a", "great"], "status": ["ok", "ok"]}), tmp_path / "out.csv")
    return path, path.read_bytes()


def _no_temp_files_left(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


def _raise(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    return fail


NEW = pd.DataFrame({"answer": ["x"] * 1000, "status": ["ok"] * 1000})


def test_disk_full_at_the_final_rename_keeps_earlier_output(earlier, monkeypatch):
    path, before = earlier
    monkeypatch.setattr(os, "replace", _raise(errno.ENOSPC))
    with pytest.raises(OSError, match="No space left on device.*could not write output file") as info:
        write_table(NEW, path)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert path.read_bytes() == before
    assert _no_temp_files_left(path.parent)


@pytest.mark.parametrize("suffix", ["csv", "parquet", "jsonl"])
def test_disk_full_half_way_through_writing_keeps_earlier_output(tmp_path, monkeypatch, suffix):
    path = write_table(pd.DataFrame({"answer": ["n/a"], "status": ["ok"]}), tmp_path / f"out.{suffix}")
    before = path.read_bytes()
    method = {"csv": "to_csv", "parquet": "to_parquet", "jsonl": "to_json"}[suffix]

    def half_then_full(self, target, *args, **kwargs):
        Path(target).write_bytes(b"half a file")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, method, half_then_full)
    with pytest.raises(OSError, match="No space left"):
        write_table(NEW, path)
    assert path.read_bytes() == before
    assert _no_temp_files_left(tmp_path)


def test_permission_denied_on_the_output_folder_keeps_earlier_output(earlier, monkeypatch):
    import tempfile

    path, before = earlier
    monkeypatch.setattr(tempfile, "mkstemp", _raise(errno.EACCES))
    with pytest.raises(PermissionError, match="Permission denied.*could not write output file") as info:
        write_table(NEW, path)
    assert info.value.filename == str(path)
    assert path.read_bytes() == before


def test_output_folder_that_is_a_file_or_missing(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError) as info:
        write_table(NEW, tmp_path / "file" / "out.csv")
    assert "out.csv" in str(info.value)
    with pytest.raises(FileNotFoundError, match="out.csv"):
        write_table(NEW, tmp_path / "missing" / "out.csv")


def test_command_line_on_a_full_disk_is_one_clear_line_and_keeps_earlier_output(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    args = ["analyze", str(EXAMPLE), "--text-column", "text", "--backend", "fake", "--out", str(out), "-q"]
    assert main(args) == 0
    before = (out / "responses.csv").read_bytes()
    capsys.readouterr()
    real_replace = os.replace

    def full_for_results(src, dst, *a, **k):
        if Path(dst).name.startswith(("responses", "summary")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", full_for_results)
    assert main([*args, "--no-resume"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("voicelens: error:") and "No space left on device" in err[0]
    assert (out / "responses.csv").read_bytes() == before
