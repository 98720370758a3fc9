"""Vietnamese-aware text folding.

Organisers type unit names on phones, often without a Vietnamese keyboard:
"Ha Noi" has to find "Hà Nội" and "doan" has to find "Đoàn". Folding removes
tone and vowel marks, maps đ/Đ to d (Unicode does not decompose đ, so NFD alone
leaves it in place) and lower-cases, so both sides compare equal.
"""
from __future__ import annotations

import re
import unicodedata

# đ has no decomposition in Unicode. The Icelandic eth (ð/Ð) looks identical and
# turns up in text typed with the wrong keyboard layout, so it folds to d as well.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans({"đ": "d", "ð": "d"})
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Diacritic- and case-insensitive form: "Quận đoàn  Ba Đình" -> "quan doan ba dinh".

    NFKD (not just NFD) also flattens full-width letters and ligatures that
    some phone keyboards produce. Whitespace runs collapse to one space.
    """
    if text.isascii():  # ids, URLs, already-folded text: skip the Unicode work
        return _WHITESPACE.sub(" ", text.lower()).strip()
    # Compatibility forms first ("℠" -> "SM"), then case, then again because
    # case folding can itself produce decomposable characters.
    lowered = unicodedata.normalize("NFKD", text).casefold()
    decomposed = unicodedata.normalize("NFKD", lowered.translate(_LETTERS_WITHOUT_DECOMPOSITION))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WHITESPACE.sub(" ", bare).strip()


def fold_tokens(text: str) -> tuple[str, ...]:
    """Folded words; punctuation and hyphens separate words ("TP.HCM" -> ("tp", "hcm"))."""
    return tuple(_WORD.findall(fold(text)))
