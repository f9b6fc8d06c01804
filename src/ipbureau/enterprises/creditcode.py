"""统一社会信用代码 (unified social credit code), GB 32100-2015: validation and generation.

Structure of the 18 characters:

* 1     登记管理部门代码 (registration authority: 1 机构编制, 5 民政, 9 工商/市场监管, Y 其他 …)
* 2     机构类别代码 (for 9: 1 企业, 2 个体工商户, 3 农民专业合作社)
* 3–8   登记管理机关行政区划码 (GB/T 2260, e.g. 120116 滨海新区)
* 9–17  主体标识码 = 组织机构代码 (GB 11714): 8 body characters and its own check character
* 18    校验码 over the first 17 (GB/T 17710 style, modulus 31)

The alphabet is the 31 characters 0-9 A-H J-N P Q R T U W X Y (no I, O, S, V, Z, so
that no character can be misread as another). The weight of position i (0-based) is
3**i mod 31; the check character is the one whose value is (31 - sum mod 31) mod 31.
"""

from __future__ import annotations

import random
import re
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28

# GB 11714 organisation code: weights over the 8 body characters, modulus 11.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authority -> the organisation types it may register (GB 32100-2015 附录 A).
AUTHORITY_TYPES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关、事业单位、中央编办直管群众团体、其他
    "2": "19",  # 外交
    "3": "1234569",  # 司法行政
    "4": "129",  # 文化
    "5": "1239",  # 民政: 社会团体、民办非企业单位、基金会、其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "129",  # 工会
    "9": "123",  # 工商/市场监管: 企业、个体工商户、农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业
    "Y": "1",  # 其他
}

CODE_RE = re.compile(r"^[0-9A-Z]{18}$")


def _org_value(char: str) -> int:
    """GB 11714 value of a body character: digits as themselves, A=10 … Z=35."""
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def org_check_character(body: str) -> str:
    """Check character of an 8-character organisation code body (GB 11714)."""
    total = sum(_org_value(c) * w for c, w in zip(body, ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015)."""
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(raw: object) -> str:
    """Full-width to half-width, spaces and hyphens removed, upper case."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return re.sub(r"[\s\-]", "", text).upper()


def validate_credit_code(code: object) -> str:
    """Return the normalised code, or raise ValueError saying what is wrong (in Chinese)."""
    text = normalise(code)
    if not text:
        raise ValueError("统一社会信用代码不能为空")
    if len(text) != 18:
        raise ValueError(f"统一社会信用代码应为 18 位，“{code}”为 {len(text)} 位")
    bad = sorted({c for c in text if c not in VALUES})
    if bad:
        raise ValueError(f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）")
    authority, kind = text[0], text[1]
    if authority not in AUTHORITY_TYPES:
        raise ValueError(f"第 1 位登记管理部门代码“{authority}”不存在")
    if kind not in AUTHORITY_TYPES[authority]:
        raise ValueError(f"第 2 位机构类别代码“{kind}”与登记管理部门代码“{authority}”不匹配")
    if not text[2:8].isdigit():
        raise ValueError(f"第 3–8 位登记管理机关行政区划码应为 6 位数字，实为“{text[2:8]}”")
    expected_org = org_check_character(text[8:16])
    if text[16] != expected_org:
        raise ValueError(f"第 9–17 位组织机构代码“{text[8:17]}”的校验码应为 {expected_org}，实为 {text[16]}")
    expected = check_character(text[:17])
    if text[17] != expected:
        raise ValueError(f"统一社会信用代码校验码（第 18 位）应为 {expected}，实为 {text[17]}")
    return text


def is_valid_credit_code(code: object) -> bool:
    try:
        validate_credit_code(code)
    except ValueError:
        return False
    return True


# Body characters usable in a generated organisation code: the 31-character alphabet,
# so the whole code stays inside GB 32100's character set.
_BODY_CHARS = ALPHABET


def make_credit_code(rng: random.Random, district_code: str, *, authority: str = "9", kind: str = "1") -> str:
    """A valid code for a fictional organisation registered in ``district_code``.

    Enterprises registered since the 2015 reform carry an organisation code starting
    "MA"; older ones a numeric code. Both forms are generated, about half each.
    """
    if not re.fullmatch(r"\d{6}", district_code):
        raise ValueError(f"行政区划码应为 6 位数字：“{district_code}”")
    if kind not in AUTHORITY_TYPES.get(authority, ""):
        raise ValueError(f"机构类别代码“{kind}”与登记管理部门代码“{authority}”不匹配")
    while True:
        if rng.random() < 0.5:
            body = "MA" + "".join(rng.choice(_BODY_CHARS) for _ in range(6))
        else:
            body = "".join(rng.choice("0123456789") for _ in range(8))
        org_check = org_check_character(body)
        if org_check in VALUES:  # always true ("X" and digits are in the alphabet); kept explicit
            break
    first17 = f"{authority}{kind}{district_code}{body}{org_check}"
    return first17 + check_character(first17)
