"""The certificate's words (shared by the learner's certificate and the EDC display page): every language says
every word, so no certificate comes out half in English."""

from __future__ import annotations

import pytest

from credentials.certificate_words import WORDS, words


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_every_language_has_every_word(lang: str) -> None:
    assert set(WORDS[lang]) == set(WORDS["en"])
    assert all(value.strip() for value in WORDS[lang].values())


def test_unknown_languages_and_regions_fall_back_word_by_word() -> None:
    assert words("pt") == WORDS["en"]
    assert words("fr-CA")["heading"] == "Certificat"

