import pytest

from core.text import NumberError, fold, nfc, parse_number, slug, strip_diacritics


@pytest.mark.parametrize("raw, expected", [
    ("1.250", 1250), ("88,5", 88.5), ("1.250,5", 1250.5), ("12", 12), ("95%", 95), ("95 %", 95),
    ("1,250,000", 1_250_000), ("1.250.000", 1_250_000), ("0,825", 0.825), ("0.5", 0.5), ("3.14", 3.14),
    ("12 345", 12345), ("1,250.5", 1250.5), (" 7 ", 7), (7, 7), (2.5, 2.5), ("-3", -3),
])
def test_parse_number_reads_vietnamese_numbers(raw, expected):
    assert parse_number(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", [None, "", "-", "x", "…", float("nan")])
def test_parse_number_empty_marks_are_none(raw):
    assert parse_number(raw) is None


@pytest.mark.parametrize("raw", ["mười hai", "12a", "1/2", "abc", True])
def test_parse_number_refuses_text(raw):
    with pytest.raises(NumberError):
        parse_number(raw)


def test_fold_ignores_case_diacritics_d_and_punctuation():
    assert fold("Sở Tư pháp – ĐẮK LẮK!") == "so tu phap dak lak"
    assert fold("So Tu phap dak lak") == fold("Sở Tư pháp Đắk Lắk")


def test_nfd_input_is_normalised_to_nfc():
    nfd = "Tha\u0300nh pho\u0302\u0301"  # "Thành phố" typed in decomposed form (as Word sometimes stores it)
    assert nfc(nfd) == "Thành phố"
    assert fold(nfd) == "thanh pho"


def test_strip_diacritics_and_slug():
    assert strip_diacritics("Đắk Lắk") == "Dak Lak"
    assert slug("Sở Văn hóa, Thể thao và Du lịch") == "so_van_hoa_the_thao_va_du_lich"


def test_fold_removes_every_combining_mark_nfc_or_nfd_and_beyond_the_basic_plane():
    from core.text import fold, strip_diacritics

    assert strip_diacritics("Thừa Thiên Huế") == strip_diacritics("Thu\u0300a Thie\u0302n Hue\u0302\u0301") == "Thua Thien Hue"
    assert strip_diacritics("x\u0301\u0323y\u20d7") == "xy"  # marks from three Unicode blocks
    assert strip_diacritics("𝐀b\u0301") == "𝐀b"  # a character beyond U+FFFF takes the exact path
    assert fold("  Sở  Tư-pháp ") == fold("SO TU PHAP") == "so tu phap"
