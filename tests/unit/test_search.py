"""`targets.search.fold`: what the diacritics-free search compares (issue #17, item 8)."""

from targets.search import fold


def test_marks_are_dropped_and_case_is_lowered():
    assert fold("Tỷ lệ HỒ SƠ được xử lý") == "ty le ho so duoc xu ly"


def test_d_with_stroke_becomes_d_in_both_cases():
    assert fold("Đà Nẵng điện tử") == "da nang dien tu"


def test_spaces_are_collapsed_and_empty_stays_empty():
    assert fold("  hồ \t sơ  ") == "ho so"
    assert fold("") == "" and fold(None) == ""


def test_precomposed_and_decomposed_input_fold_alike():
    import unicodedata

    text = "Chuyển đổi số"
    assert (
        fold(unicodedata.normalize("NFD", text))
        == fold(unicodedata.normalize("NFC", text))
        == "chuyen doi so"
    )
