"""Page pieces moved from Jinja loops and macros into Python for speed (bench/load.py --profile of the market page):
``ui.field(kind="select")``'s options (web/templating.select_options, for selects of 2,000 enterprises) and the
``day`` / ``money`` filters behind ``ui.day`` / ``ui.money``. The HTML must stay what the Jinja code made, byte for
byte."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from ipbureau.web.templating import templates

# The macro's loop before its options were built in Python: the reference the new output must equal.
JINJA_LOOP = """
    {%- for option_value, option_label in options or [] %}
    <option value="{{ option_value }}" {% if option_value|string == value|string %}selected{% endif %}>{{ option_label }}</option>
    {%- endfor %}"""
FIELD = '{% import "_macros.html" as ui %}{{ ui.field("e", "企业", value, kind="select", options=options, required=req) }}'

CASES = [
    ([(1, "甲公司"), (2, "乙公司")], 2),
    ([(1, "甲公司"), (2, "乙公司")], "1"),  # a form's value is text: still selects the int option
    ([("a&b", '<"丙">'), ("c", "丁")], "a&b"),  # values and labels escaped
    ([("x", "X")], None),
    ([("x", "X")], ""),
    (None, "x"),
    ([], "x"),
]


@pytest.mark.parametrize(("options", "value"), CASES)
@pytest.mark.parametrize("required", [False, True])
def test_the_options_are_the_html_of_the_jinja_loop(options, value, required):
    reference = templates.env.from_string(JINJA_LOOP).render(options=options, value=value)
    assert str(templates.env.globals["select_options"](options, value)) == reference
    html = templates.env.from_string(FIELD).render(options=options, value=value, req=required)
    assert reference in html and html.count("<option") == len(options or []) + (0 if required else 1)


def test_two_thousand_options_are_the_loop_s_html():
    """The market page's 2,000-enterprise selects (their speed is measured in bench/load.py --profile, not here:
    no timed assertions in unit tests)."""
    options = [(number, f"天津市第{number}号科技有限公司") for number in range(2000)]
    reference = templates.env.from_string(JINJA_LOOP).render(options=options, value=1234)
    built = str(templates.env.globals["select_options"](options, 1234))
    assert built == reference and built.count(" selected>") == 1


# The macros' bodies before they called the filters: the reference.
OLD_MONEY = ('{%- if amount is none -%}—{%- elif unit == "万元" -%}{{ "{:,.2f}".format(amount / 10000) }} 万元'
             '{%- else -%}{{ "{:,.2f}".format(amount) }} 元{%- endif -%}')
OLD_DAY = '{%- if value is none -%}—{%- else -%}{{ value.strftime("%Y-%m-%d") }}{%- endif -%}'


@pytest.mark.parametrize("amount", [None, 0, 1234567.891, Decimal("98765.4"), -12.5, 10000])
@pytest.mark.parametrize("unit", ["元", "万元"])
def test_money_is_what_the_macro_made(amount, unit):
    reference = templates.env.from_string(OLD_MONEY).render(amount=amount, unit=unit)
    macro = templates.env.from_string('{% import "_macros.html" as ui %}{{ ui.money(amount, unit) }}')
    assert macro.render(amount=amount, unit=unit) == reference
    assert templates.env.from_string("{{ amount|money(unit) }}").render(amount=amount, unit=unit) == reference


@pytest.mark.parametrize("value", [None, date(2023, 1, 5), datetime(2022, 12, 31, 23, 59)])
def test_day_is_what_the_macro_made(value):
    reference = templates.env.from_string(OLD_DAY).render(value=value)
    assert templates.env.from_string('{% import "_macros.html" as ui %}{{ ui.day(value) }}').render(value=value) \
        == reference == templates.env.from_string("{{ value|day }}").render(value=value)
