"""How the search reads text: folding, Italian stems, query words and snippets (no database)."""

from __future__ import annotations

from services.workshops.search import text


def test_words_of_one_family_share_a_stem_and_accents_do_not_matter() -> None:
    family = ["partecipazione", "partecipativo", "partecipare", "Partecipanti", "PARTECIPATA"]
    assert {text.stem(w) for w in text.words(" ".join(family))} == {"partecip"}
    assert text.index_text("Città") == text.index_text("citta") == text.index_text("CITTÀ")
    assert text.words("Forlì, l'Unione dei comuni") == ["forli", "l", "unione", "dei", "comuni"]


def test_query_words_leave_out_function_words_and_repeats() -> None:
    assert text.query_words("La città e la città della salute") == ["citta", "salute"]
    assert text.query_words("di la per") == []
    assert len(text.query_words(" ".join(f"parola{n}" for n in range(40)))) == text.MAX_QUERY_TERMS


def test_a_snippet_is_cut_around_the_first_hit_at_word_boundaries() -> None:
    body = " ".join(["preambolo"] * 40) + " la partecipazione dei cittadini " + " ".join(["coda"] * 40)
    cut = text.snippet(body, {"partecip"}, width=80)
    assert cut.startswith("…preambolo") and cut.endswith("…")
    assert "partecipazione dei cittadini" in cut
    assert len(cut) <= 82
    assert text.snippet("Breve testo", {"assente"}) == "Breve testo"
    assert text.snippet("", {"partecip"}) == ""
