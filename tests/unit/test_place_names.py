"""The names OCR text is corrected toward include the known courts and their parts."""

from filing.adapters import place_names


def test_known_courts_give_their_names_and_parts() -> None:
    names = place_names(["某市人民政府"], ["江北省临河市安平区人民法院", "江北省临河市中级人民法院"])
    assert names[0] == "某市人民政府"
    for expected in ("江北省临河市安平区人民法院", "临河市安平区人民法院", "江北省", "临河市", "安平区",
                     "临河市中级人民法院"):
        assert expected in names
    assert len(names) == len(set(names))


def test_a_court_without_a_province_is_kept_whole() -> None:
    assert place_names([], ["最高人民法院"]) == ("最高人民法院",)
