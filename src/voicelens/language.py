"""Which language a response is written in: an offline, deterministic detector.

The shipped models read English. A Polish or Urdu answer scored as if it were English
gets a confident, meaningless sentiment, so the Analyzer flags such rows instead
(``status == "non_english"``). This module decides which rows those are, in three steps:

1. **Script.** When most letters of a text belong to one non-Latin script (Arabic,
   Han, Cyrillic, Devanagari, ...) the text gets that script's language: ``"ar"``,
   ``"zh"``, ``"ru"``, ``"hi"``, ... (Urdu and Persian are told from Arabic, Japanese
   from Chinese, Ukrainian from Russian by letters only they use).
2. **Words.** In Latin script, words frequent in another language and not English
   (``"muy"``, ``"und"``, ``"très"``, ``"bardzo"``) and words spelt with letters English
   does not use (``ñ``, ``ß``, ``ł``, ``ș``, ``ğ``) are counted against English words.
   Two or more of them, clearly outnumbering the English ones, name the language;
   a text where English words are half the words or more is English.
3. **CLD2.** Texts of three or more words that step 2 leaves open go to Google's
   Compact Language Detector 2 (``pycld2``, a small C library with its tables built
   in); a language it reports as *reliable* is taken. Without ``pycld2`` (no wheel for
   your Python) this step is skipped and fewer Latin-script languages are caught.

Short or ambiguous texts are English: ``"n/a"``, ``"no"``, ``"ok thanks"``, ``"gud"``,
``"Merci"`` or ``"Dr García was lovely"`` are all ``"en"``, and Scots is read as
English. A false flag (an English answer left unscored) costs more than a miss, so
the rules lean that way: none of 2,310 NHS Friends and Family Test answers is
flagged (see ``docs/reliability.md``). Only the first :data:`MAX_CHARS` characters
of a text are read.

>>> detect_language("The staff were very kind")
'en'
>>> detect_language("El personal fue muy amable")
'es'
>>> detect_language("Merci")                 # one word: too little to tell
'en'
>>> detect_language("شكرا جزيلا")
'ar'
>>> detect_languages(["ok thanks", "Sehr gut, vielen Dank", "我的背不疼了。"])
['en', 'de', 'zh']
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable

#: The language returned for English, and for texts too short or ambiguous to tell.
ENGLISH = "en"
#: Only this many characters of a text are read (the start of a 1 MB text tells its language).
MAX_CHARS = 5_000

# -- step 1: scripts -------------------------------------------------------------

# (first code point, last code point, script) for letters outside Latin; sorted.
_SCRIPT_RANGES: list[tuple[int, int, str]] = sorted([
    (0x0370, 0x03FF, "el"), (0x1F00, 0x1FFF, "el"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "hy"),
    (0x0590, 0x05FF, "he"), (0xFB1D, 0xFB4F, "he"),
    (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"), (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"), (0xFE70, 0xFEFF, "arabic"),
    (0x0700, 0x074F, "syr"), (0x0780, 0x07BF, "dv"),
    (0x0900, 0x097F, "hi"), (0x0980, 0x09FF, "bn"), (0x0A00, 0x0A7F, "pa"), (0x0A80, 0x0AFF, "gu"),
    (0x0B00, 0x0B7F, "or"), (0x0B80, 0x0BFF, "ta"), (0x0C00, 0x0C7F, "te"), (0x0C80, 0x0CFF, "kn"),
    (0x0D00, 0x0D7F, "ml"), (0x0D80, 0x0DFF, "si"), (0x0E00, 0x0E7F, "th"), (0x0E80, 0x0EFF, "lo"),
    (0x0F00, 0x0FFF, "bo"), (0x1000, 0x109F, "my"), (0x10A0, 0x10FF, "ka"), (0x1100, 0x11FF, "ko"),
    (0x1200, 0x139F, "am"), (0x1780, 0x17FF, "km"), (0x1800, 0x18AF, "mn"),
    (0x3040, 0x30FF, "kana"), (0x31F0, 0x31FF, "kana"), (0xFF66, 0xFF9F, "kana"),
    (0x3130, 0x318F, "ko"), (0xAC00, 0xD7AF, "ko"), (0xFFA0, 0xFFDC, "ko"),
    (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"), (0xF900, 0xFAFF, "han"), (0x20000, 0x3FFFF, "han"),
    (0x3100, 0x312F, "han"), (0xA000, 0xA4CF, "ii"),
])
_RANGE_STARTS = [r[0] for r in _SCRIPT_RANGES]
_UKRAINIAN = set("іїєґІЇЄҐ")
_BULGARIAN_HINT = set("ъЪ")
_URDU = set("ٹڈڑںےۓھہ")
_PERSIAN = set("پچژگی")


def _script_of(ch: str) -> str | None:
    """The non-Latin script of a letter, or None for Latin (and other) letters."""
    cp = ord(ch)
    if cp < 0x0370:
        return None
    i = bisect_right(_RANGE_STARTS, cp) - 1
    if i >= 0 and cp <= _SCRIPT_RANGES[i][1]:
        return _SCRIPT_RANGES[i][2]
    return None  # Latin, or a script this module does not name: judged by its words


def _script_language(script: str, text: str, scripts: dict[str, int]) -> str:
    if script in ("han", "kana"):
        return "ja" if scripts.get("kana") else "zh"
    if script == "cyrillic":
        if _UKRAINIAN.intersection(text):
            return "uk"
        return "bg" if _BULGARIAN_HINT.intersection(text) and "ы" not in text else "ru"
    if script == "arabic":
        if _URDU.intersection(text):
            return "ur"
        return "fa" if _PERSIAN.intersection(text) else "ar"
    return script


# -- step 2: Latin-script words --------------------------------------------------

# Words that count as evidence for English: function words, and what survey answers are
# made of. Some are common in other languages too ("a", "no", "me", "in"); they still
# count as English, so foreign evidence must clearly outnumber them.
_ENGLISH_WORDS = frozenset("""
i you he she it we they me a an to in on so no him her us them my your his its our their
mine yours myself
the this that these those there here what which who whom whose when where why how
is are was were be been being am do does did done doing have has had having
will would shall should can could may might must not n't nor but or and if then than
because as of for with without about from into onto over under up down out off by
at after before during until while since again also just only very really too quite
all any some every each both few more most much many other such same own
one two three four five six seven eight nine ten first last next never always often
yes yeah ok okay thanks thank please sorry nothing everything something anything
none nobody everyone someone everybody somebody lot lots bit little well better best
good great nice lovely kind kindness helpful friendly caring polite rude bad worse worst
excellent brilliant amazing fantastic wonderful perfect fine poor terrible awful happy
staff nurse nurses doctor doctors gp care service services team ward hospital clinic
appointment appointments time times wait waiting waited long quick quickly slow day days
week weeks month months year years help helped helping support supported listen listened
listening understand understood explain explained treatment pain back feel felt feeling
people person patient patients made make making get got getting go went going come came
seen see saw know knew think thought told tell said say way need needed needs want wanted
food room parking phone call called information communication improve improvement change
keep doing could've would've don't didn't doesn't can't couldn't wasn't weren't isn't i'm
i've i'd it's that's they're we're you're there's nothing's comment comments applicable
everything's life home family mum dad son daughter wife husband friend friends work job
dr mr mrs ms gp nhs ae mg ml mcg po od bd bid tid tds qd qid prn iv im sc x xx
""".split())

# Frequent words of other languages that are not English words. A word may belong to
# several languages; the text goes to the one with most evidence.
_FOREIGN_WORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in {
    "es": """el los las del de la en que una unos unas por para muy pero como más está están estaba
        estoy fue fueron ser estar tengo tiene tienen tuve todo todos toda todas nada gracias bien
        bueno buena buenos buenas buen mucho mucha muchos muchas mejor peor siempre nunca también
        porque cuando donde qué nos les su sus sobre desde hasta entre aquí usted ustedes ellos ella
        él este esta esto eso esa ese hace hizo puedo puede médico médica doctora enfermera enfermeras
        atención amable esperar espera dolor horas tiempo gente atendieron explicó tratamiento siento
        espalda dormir mejorar comunicación pacientes nadie ningún ninguna algo poco tan servicio""",
    "fr": """le les des du de la en que au aux une est et avec dans sur pas très merci tout
        tous toute toutes rien bien je j'ai vous nous ils elles il elle ma mes sa ses leur leurs ce
        cette ces qui quoi mais ou où donc avait était été être avoir fait faire moins beaucoup trop
        peu gentil gentille gentils médecin infirmière infirmières attendu attente heures urgences
        depuis traitement parfait parfaite signaler formidable formidables faudrait améliorer
        l'accueil accueil n'ai n'est c'est d'un d'une qu'il aussi toujours jamais bonjour madame
        monsieur""",
    "de": """der das die und ist nicht ich sie wir ihr es ein eine einen einem einer mit für auf dem
        des sehr gut alles vielen danke waren wurde wurden haben habe hatte sein keine kein mehr
        schmerzen wartezeit viel zu lang ordnung arzt ärztin zeit mich mir sich genommen könnte
        kommunikation verbessern kann wieder arbeiten schlafen auch aber oder wenn weil noch schon
        nur immer nie freundlich hilfsbereit pflege krankenhaus behandlung geholfen zufrieden nichts
        etwas bitte""",
    "it": """il la che lo gli della delle degli dei del nel nella è sono stato stata molto grazie
        mille tutto tutti tutte bene niente nulla migliorare hanno abbiamo troppo visita più dolore
        alla schiena medico sento meglio adesso infermieri infermiere bravissimi bravissime personale
        gentili spiegato sempre mai anche perché quando questo questa quello quella cosa ancora oggi""",
    "pt": """de que os um uma uns umas das dos na nas nos não é são foi foram muito muita muitos
        muitas obrigado obrigada tudo todos nada bem melhor pior esperei para ser atendido atendida
        já tenho dores costas melhorar está estão médica médico atenciosa atencioso sinto depois
        tratamento atendimento excelente funcionários simpáticos simpáticas você eu ele ela eles
        elas meu minha seu sua também mas porque quando onde isso isto aqui ainda sempre nunca""",
    "pl": """nie jest był była było byli były bardzo dobrze dziękuję dziękujemy personel miły miła
        mili pomocny pomocna czekałem czekałam za długo wizytę wizyta już bólu pleców wszystko
        porządku lekarz lekarka wytłumaczył wytłumaczyła czuję się dużo lepiej leczeniu pielęgniarki
        wspaniałe jestem że jak tak czy dobry dobra dobre obsługa szpital""",
    "ro": """și este sunt fost foarte amabil amabilă mulțumesc mulțumim pentru toate prea mult
        urgențe nu mai dureri de la spate totul bine nimic îmbunătățit doctorul mi-a explicat simt
        acum asistentele minunate sau dar că cu pe din ce eu el noi voi ei ele meu mea""",
    "nl": """het een de niet ik je jij wij zij hij ze zijn erg goed dank wel moest veel te lang
        wachten heb geen pijn meer mijn alles prima niets verbeteren dokter tijd voor mij voel beter
        behandeling verpleegkundigen geweldig personeel vriendelijk en van op aan dat die ook maar bij
        nog""",
    "tr": """bir çok teşekkür ederim ederiz için uzun bekledim artık ağrım yok şey iyiydi iyi
        doktor açıkladı tedaviden sonra kendimi daha hissediyorum hemşireler harika personel nazik
        yardımsever yardımseverdi randevu ile gibi kadar değil siz onlar benim""",
    "lt": """labai ačiū už viską buvo malonus malonūs ilgai laukiau vizito nebeskauda nugaros
        viskas gerai gydytojas gydytoja paaiškino gydymo jaučiuosi daug geriau slaugytojos
        nuostabios personalas kad kaip aš jis ji jūs jie""",
    "cs": """personál byl byla bylo byli velmi milý milá děkuji děkujeme za všechno čekal čekala
        jsem příliš dlouho už mě nebolí záda pořádku lékař lékařka vysvětlil vysvětlila léčbě
        cítím mnohem lépe sestřičky skvělé je jsou že jak""",
    "hu": """személyzet nagyon kedves volt köszönöm szépen túl sokat kellett várnom már nem fáj
        hátam minden rendben orvos mindent elmagyarázott kezelés után sokkal jobban érzem magam
        ápolók nagyszerűek és hogy vagyok""",
    "so": """shaqaalaha aad wanaagsanaayeen baad mahadsantihiin waqti dheer ayaan sugayay
        xanuunka dhabarka hadda qabo walba fiicnaayeen dhakhtarku wuu sharaxay iyo waa waxaan""",
    "vi": """nhân viên rất thân thiện cảm ơn nhiều tôi phải chờ quá lâu không còn đau lưng nữa
        mọi thứ đều tốt bác sĩ đã giải thích và của là có được""",
    "id": """stafnya sangat ramah terima kasih banyak saya menunggu terlalu lama tidak sakit
        punggung lagi semuanya baik-baik saja dokter menjelaskan dengan jelas yang untuk ini itu
        sudah bagus sekali""",
    "sq": """stafi ishte shumë sjellshëm faleminderit për gjithçka prita gjatë nuk kam më dhimbje
        shpine dhe është të në që""",
}.items()}
# Words left out on purpose because English uses them too (seen in English patient
# text): per non plus car co bay hay wax lo ton ho met heel ada con yo mal po mis sin ya
# tes pour mon ha rug ve bu var ir az ma ta mam ale den dank tempo gentile dove heel nam
# her ben biz bet meg van way care tot ea na.
_WORD_LANGUAGES: dict[str, tuple[str, ...]] = {}
for _lang, _words in _FOREIGN_WORDS.items():
    for _w in _words:
        if _w not in _ENGLISH_WORDS:
            _WORD_LANGUAGES[_w] = (*_WORD_LANGUAGES.get(_w, ()), _lang)

# Letters that English spelling does not use, and the languages that do.
_LETTER_LANGUAGES: dict[str, tuple[str, ...]] = {}
for _lang, _letters in {
    "es": "ñáéíóú", "fr": "àâçéèêëîïôœùû", "de": "äöüß", "it": "àèéìíòóù", "pt": "ãõáâàçéêíóôú",
    "pl": "ąćęłńóśźż", "ro": "ăâîșşțţ", "tr": "çğıöşü", "lt": "ąčęėįšųūž", "cs": "áčďéěíňóřšťúůýž",
    "hu": "áéíóöőúüű", "sq": "ëç", "sv": "åäö", "da": "åæø",
    "vi": "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
}.items():
    for _ch in _letters:
        _LETTER_LANGUAGES[_ch] = (*_LETTER_LANGUAGES.get(_ch, ()), _lang)
_LANGUAGE_ORDER = list(_FOREIGN_WORDS) + ["sv", "da"]  # ties go to the first listed

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: Fewest foreign words (step 2) for a Latin-script text to be called non-English.
MIN_FOREIGN_WORDS = 2
#: Fewest words for a text to be passed to CLD2 (step 3); shorter texts fool it.
MIN_CLD2_WORDS = 3
# CLD2 codes that are English for our purpose, or old codes with a newer name.
_CLD2_CODES = {"sco": ENGLISH, "un": ENGLISH, "iw": "he", "in": "id", "jw": "jv", "ji": "yi"}


def _word_evidence(words: list[str], ascii_text: bool) -> tuple[int, dict[str, int]]:
    """English words, and per other language the words that point to it."""
    english = 0
    evidence: dict[str, int] = {}
    for word in words:
        if word in _ENGLISH_WORDS:
            english += 1
            continue
        langs = set(_WORD_LANGUAGES.get(word, ()))
        if not ascii_text and not word.isascii():
            for ch in word:
                langs.update(_LETTER_LANGUAGES.get(ch, ()))
        for lang in langs:
            evidence[lang] = evidence.get(lang, 0) + 1
    return english, evidence


def _cld2_language(text: str) -> str | None:
    """CLD2's language when it is reliable, ``"en"`` when not, None without pycld2."""
    try:
        import pycld2
    except ImportError:
        return None
    try:
        reliable, _, details = pycld2.detect(text.encode("utf-8", "replace"))
    except Exception:  # pycld2.error on bytes it cannot read (control characters)
        return ENGLISH
    code = details[0][1].split("-")[0].lower() if reliable else ENGLISH
    return _CLD2_CODES.get(code, code)


def _latin_language(text: str) -> str:
    words = _WORD.findall(text.lower().replace("’", "'"))
    if len(words) < MIN_FOREIGN_WORDS:
        return ENGLISH
    english, evidence = _word_evidence(words, text.isascii())
    if 2 * english >= len(words):
        return ENGLISH
    if evidence:
        best = max(_LANGUAGE_ORDER, key=lambda lang: evidence.get(lang, 0))
        hits = evidence.get(best, 0)
        if hits >= MIN_FOREIGN_WORDS and hits > 2 * english and 3 * hits >= len(words):
            return best
    if len(words) >= MIN_CLD2_WORDS:
        return _cld2_language(text) or ENGLISH
    return ENGLISH


# -- the front door ------------------------------------------------------------------


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language of ``text``; ``"en"`` when short or unclear.

    Deterministic and fast (a few microseconds for a short answer).

    >>> detect_language("n/a"), detect_language("ok thanks"), detect_language("Muy bueno")
    ('en', 'en', 'es')
    >>> detect_language("Персонал был очень вежливый."), detect_language("スタッフはとても親切でした。")
    ('ru', 'ja')
    """
    text = text[:MAX_CHARS]
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # fullwidth and "fancy font" letters → plain
        scripts: dict[str, int] = {}
        latin = 0
        for ch in text:
            if ch.isalpha():
                script = _script_of(ch)
                if script is None:
                    latin += 1
                else:
                    scripts[script] = scripts.get(script, 0) + 1
        if scripts:
            if sum(scripts.values()) > latin:
                script = max(scripts, key=lambda name: (scripts[name], name))
                return _script_language(script, text, scripts)
    return _latin_language(text)


def detect_languages(texts: Iterable[str | None]) -> list[str | None]:
    """:func:`detect_language` of each text; ``None`` stays ``None``.

    >>> detect_languages(["great", None, "Bardzo dobrze, dziękuję"])
    ['en', None, 'pl']
    """
    return [None if t is None else detect_language(t) for t in texts]


def flag_languages(texts: list[str | None], status: list[str],
                   languages: Iterable[str] | None = (ENGLISH,)) -> list[str | None]:
    """Detect the language of each row whose status is ``"ok"``; flag the others.

    Rows in a language outside ``languages`` get status ``"non_english"`` (``status`` is
    changed in place); ``languages=None`` detects without flagging. Returns the
    language per row, ``None`` where there is no text.

    >>> status = ["ok", "ok", "missing"]
    >>> flag_languages(["great", "Muy bueno, gracias", None], status)
    ['en', 'es', None]
    >>> status
    ['ok', 'non_english', 'missing']
    """
    allowed = None if languages is None else set(languages)
    found: list[str | None] = [None] * len(status)
    for i, (text, s) in enumerate(zip(texts, status)):
        if s != "ok" or text is None:
            continue
        found[i] = lang = detect_language(text)
        if allowed is not None and lang not in allowed:
            status[i] = "non_english"
    return found
