import pytest

from nim_scrape.catalogue.text import cosmetic_key, find_placeholders, normalize_space


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("更新时间:\u00a02024/10/31", "更新时间: 2024/10/31"),
        ("IM 即时通讯\u200b > 基础功能", "IM 即时通讯 > 基础功能"),
        ("  a \n\t b  ", "a b"),
        ("全角\u3000空格", "全角 空格"),
        ("bell\x07 and\x1b escape", "bell and escape"),
        ("未知错误。", "未知错误。"),
    ],
    ids=["no-break space", "zero-width space", "runs", "ideographic space", "controls", "kept"],
)
def test_normalize_space(raw, expected):
    assert normalize_space(raw) == expected


def test_cosmetic_key_ignores_punctuation_width_and_space():
    assert cosmetic_key("未知错误") == cosmetic_key("未知错误。")
    assert cosmetic_key("服务,开通") == cosmetic_key("服务，开通")
    assert cosmetic_key("(iOS)") == cosmetic_key("（iOS）")
    assert cosmetic_key("App Key") == cosmetic_key("AppKey")


def test_cosmetic_key_keeps_wording():
    assert cosmetic_key("请前往控制台") != cosmetic_key("请至控制台")
    assert cosmetic_key("Unknown error") != cosmetic_key("unknown error")


def test_find_placeholders_in_order_without_repeats():
    assert find_placeholders("%s not exist", "{name} and %s") == ("%s", "{name}")
    assert find_placeholders("plain") == ()
