"""Tests for voicelens.io.readers and voicelens.io.writers."""

from __future__ import annotations

import errno
import importlib.util
import os
import tempfile

import pandas as pd
import pytest

from voicelens.errors import ColumnNotFoundError, InputFormatError
from voicelens.io import count_rows, iter_table_chunks, read_table, require_columns, write_table

SUFFIXES = ["csv", "csv.gz", "tsv", "txt", "parquet", "jsonl", "ndjson", "xlsx"]
WRITABLE = [s for s in SUFFIXES if s != "txt"]


@pytest.fixture
def answers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "answer": ["Kind nurses, short wait.", "n/a", "NA", "None", None],
            "clinic": ["North", "South", "North", "East", "South"],
        }
    )


def _values(df: pd.DataFrame) -> list[list[object]]:
    return df.astype(object).where(df.notna(), None).values.tolist()


@pytest.mark.parametrize("suffix", WRITABLE)
def test_roundtrip_keeps_na_like_text(tmp_path, answers, suffix):
    path = write_table(answers, tmp_path / f"answers.{suffix}")
    back = read_table(path)
    assert list(back.columns) == ["id", "answer", "clinic"]
    assert _values(back) == _values(answers)


def test_txt_sniffs_tabs_and_explicit_format(tmp_path):
    (tmp_path / "a.txt").write_text("id\tanswer\n1\tGood, thanks\n", encoding="utf-8")
    assert _values(read_table(tmp_path / "a.txt")) == [[1, "Good, thanks"]]
    (tmp_path / "a.dat").write_text("id,answer\n1,fine\n", encoding="utf-8")
    assert _values(read_table(tmp_path / "a.dat", format="csv")) == [[1, "fine"]]


def test_csv_only_empty_cells_are_missing_and_bom_is_stripped(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffid,answer\n1,n/a\n2,NA\n3,\n4,None\n5,null\n".encode())
    df = read_table(path)
    assert list(df.columns) == ["id", "answer"]
    assert _values(df) == [[1, "n/a"], [2, "NA"], [3, None], [4, "None"], [5, "null"]]


@pytest.fixture
def cp1252_csv(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("id,answer\n1,fine\n2,café was shut\n".encode("cp1252"))
    return path


def test_undecodable_bytes_name_the_line(cp1252_csv):
    with pytest.raises(InputFormatError, match=r"line 3 .*--encoding cp1252") as info:
        read_table(cp1252_csv)
    assert str(cp1252_csv) in str(info.value)
    with pytest.raises(InputFormatError, match="line 3"):
        list(iter_table_chunks(cp1252_csv, chunksize=1))
    assert read_table(cp1252_csv, encoding="cp1252")["answer"].tolist() == ["fine", "café was shut"]


def test_undecodable_jsonl_names_the_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"answer": "ok"}\n\n{"answer": "caf\xe9"}\n')
    with pytest.raises(InputFormatError, match="line 3"):
        read_table(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_table(tmp_path / "nope.csv")


def test_unknown_suffix_lists_formats(tmp_path):
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf")
    with pytest.raises(InputFormatError, match=r"\.csv.*\.parquet"):
        read_table(tmp_path / "a.xls")
    with pytest.raises(InputFormatError, match="choose one of"):
        read_table(tmp_path / "a.xls", format="xls")


@pytest.mark.parametrize("suffix", ["parquet", "xlsx"])
def test_corrupt_file_names_it(tmp_path, suffix):
    path = tmp_path / f"broken.{suffix}"
    path.write_bytes(b"this is not a real file")
    with pytest.raises(InputFormatError, match="broken"):
        read_table(path)
    with pytest.raises(InputFormatError, match="broken"):
        list(iter_table_chunks(path))


def test_excel_without_openpyxl(tmp_path, answers, monkeypatch):
    path = write_table(answers, tmp_path / "a.xlsx")
    real = importlib.util.find_spec
    hide = lambda name, *args: None if name == "openpyxl" else real(name, *args)  # noqa: E731
    monkeypatch.setattr(importlib.util, "find_spec", hide)
    with pytest.raises(ImportError, match="pip install openpyxl"):
        read_table(path)


@pytest.mark.parametrize("suffix", WRITABLE)
def test_chunks_cover_all_rows_with_continuing_index(tmp_path, suffix):
    df = pd.DataFrame({"id": range(25), "answer": [f"answer number {i}" for i in range(25)]})
    path = write_table(df, tmp_path / f"many.{suffix}")
    chunks = list(iter_table_chunks(path, chunksize=10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert [c.index[0] for c in chunks] == [0, 10, 20]
    whole = pd.concat(chunks)
    assert whole.index.tolist() == list(range(25))
    assert _values(whole) == _values(read_table(path)) == _values(df)


def test_count_rows(tmp_path, answers):
    for suffix in ["csv", "parquet", "jsonl"]:
        assert count_rows(write_table(answers, tmp_path / f"a.{suffix}")) == 5
    assert count_rows(write_table(answers, tmp_path / "a.csv.gz")) is None


def test_require_columns(answers):
    require_columns(answers, "text_column", "answer")
    require_columns(answers, "group_columns", ["clinic", "id"])
    with pytest.raises(ColumnNotFoundError) as info:
        require_columns(answers, "text_column", ["answer", "coment"])
    assert isinstance(info.value, KeyError)
    assert str(info.value) == "text_column 'coment' not found; available columns: ['id', 'answer', 'clinic']"


def test_write_failure_leaves_existing_file_and_no_temp(tmp_path, answers):
    path = write_table(answers, tmp_path / "out.parquet")
    before = path.read_bytes()
    bad = pd.DataFrame({"mixed": [1, "two", 3.5, object()]})
    with pytest.raises(Exception):
        write_table(bad, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["out.parquet"]


def test_write_into_read_only_dir_is_clear(tmp_path, answers):
    folder = tmp_path / "locked"
    folder.mkdir()
    path = write_table(answers, folder / "out.csv")
    before = path.read_bytes()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("permissions are not enforced for this user (root)")
        with pytest.raises(PermissionError, match="out.csv"):
            write_table(answers.head(1), path)
        assert path.read_bytes() == before
    finally:
        folder.chmod(0o755)


def test_write_permission_error_names_the_file(tmp_path, answers, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".tmp123"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError, match=r"Permission denied.*out\.csv"):
        write_table(answers, tmp_path / "out.csv")


def test_disk_full_leaves_existing_file_and_no_temp(tmp_path, answers, monkeypatch):
    path = write_table(answers, tmp_path / "out.csv")
    before = path.read_bytes()

    def disk_full(self, target, **kwargs):
        open(target, "w").write("partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    with pytest.raises(OSError, match=r"No space left on device.*out\.csv"):
        write_table(answers, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["out.csv"]


def test_write_unknown_suffix(tmp_path, answers):
    with pytest.raises(ValueError, match=r"\.parquet"):
        write_table(answers, tmp_path / "out.xls")
