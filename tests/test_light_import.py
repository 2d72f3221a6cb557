import subprocess
import sys


def test_import_voicelens_does_not_import_heavy_libraries():
    code = ("import sys, voicelens; heavy = [m for m in ('torch', 'transformers', 'nltk') if m in sys.modules];"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
