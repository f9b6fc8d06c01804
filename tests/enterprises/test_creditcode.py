"""统一社会信用代码 (GB 32100-2015) and the industry-chain definition."""

from __future__ import annotations

import random

import pytest

from ipbureau.enterprises.creditcode import (
    check_character,
    is_valid_credit_code,
    make_credit_code,
    org_check_character,
    validate_credit_code,
)

# Published codes of well-known companies (shown on their business licences and in the
# national enterprise credit information publicity system):
#   华为技术有限公司            914403001922038216
#   腾讯科技（深圳）有限公司    9144030071526726XG
#   深圳市腾讯计算机系统有限公司 91440300708461136T
REAL_CODES = ("914403001922038216", "9144030071526726XG", "91440300708461136T")


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_codes_validate(code):
    assert validate_credit_code(code) == code
    assert check_character(code[:17]) == code[17]
    assert org_check_character(code[8:16]) == code[16]


def test_wrong_check_character_is_named():
    with pytest.raises(ValueError, match="校验码（第 18 位）应为 6"):
        validate_credit_code("914403001922038217")


def test_wrong_organisation_check_character_is_named():
    with pytest.raises(ValueError, match="组织机构代码"):
        validate_credit_code("914403001922038316")


@pytest.mark.parametrize("code", ["91440300192203821", "9144030019220382166", ""])
def test_wrong_length(code):
    with pytest.raises(ValueError, match="18 位|不能为空"):
        validate_credit_code(code)


def test_forbidden_letters_and_unknown_authority():
    with pytest.raises(ValueError, match="不允许的字符"):
        validate_credit_code("9144030019220382I6")
    with pytest.raises(ValueError, match="登记管理部门代码"):
        validate_credit_code("B14403001922038216")


def test_lowercase_spaces_and_full_width_are_normalised():
    assert validate_credit_code(" 9144030071526726xg ") == "9144030071526726XG"
    assert validate_credit_code("９１４４０３００１９２２０３８２１６") == "914403001922038216"
    assert validate_credit_code("91440300-7152-6726XG") == "9144030071526726XG"


def test_generated_codes_validate_and_carry_the_district():
    rng = random.Random(7)
    codes = [make_credit_code(rng, "120116") for _ in range(500)]
    codes += [make_credit_code(rng, "120104", authority="1", kind="2") for _ in range(50)]
    assert all(is_valid_credit_code(c) for c in codes)
    assert all(c[2:8] in ("120116", "120104") for c in codes)
    assert any(c[8:10] == "MA" for c in codes) and any(c[8:10].isdigit() for c in codes)
    assert make_credit_code(random.Random(1), "120116") == make_credit_code(random.Random(1), "120116")


def test_make_credit_code_rejects_bad_input():
    with pytest.raises(ValueError):
        make_credit_code(random.Random(1), "1201")
    with pytest.raises(ValueError):
        make_credit_code(random.Random(1), "120116", authority="9", kind="9")


# ---- industry chains --------------------------------------------------------------


def test_twelve_chains_with_segments():
    from ipbureau.navigation.chains import load_chains

    chains = load_chains()
    assert [c.name for c in chains] == ["信创", "高端装备", "集成电路", "车联网", "生物医药", "中医药", "新能源", "新材料",
                                        "航空航天", "汽车及新能源汽车", "绿色石化", "轻工"]
    assert len({c.code for c in chains}) == 12
    for chain in chains:
        assert chain.code.isascii() and chain.keywords and chain.ipc_prefixes
        assert 3 <= len(chain.segments) <= 6
        assert all(s.ipc_prefixes and s.keywords for s in chain.segments)


def test_every_chain_prefix_is_a_current_ipc_code():
    from ipbureau.navigation.chains import load_chains
    from ipbureau.reference.ipc import build_scheme

    current = {e.code for e in build_scheme() if e.current}
    missing = [(c.code, p) for c in load_chains() for p in c.all_ipc_prefixes() if p not in current]
    assert missing == []
    assert not any(p.startswith("H01L") for c in load_chains() for p in c.all_ipc_prefixes())


def test_chains_for_ipc():
    from ipbureau.navigation.chains import chains_for_ipc, prefix_matches

    assert [c.code for c in chains_for_ipc("H10B41/35")] == ["jicheng_dianlu"]
    assert prefix_matches("G06F21/00", "G06F21/62") and not prefix_matches("G06F21/00", "G06F2101/00")
