"""Request text parsed within bounds: whole numbers and JSON nesting."""
import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.json_input import MAX_DEPTH, parse_bounded_json, too_deep
from chalicelib.domain.request_numbers import whole_number


@pytest.mark.parametrize("raw", ["²", "١٢", "٣", "9" * 4301, "-1", "+1", " 1", "1 ", "1.0", "1e3", "", "0x10", "0"])
def test_only_ascii_digits_in_range_are_whole_numbers(raw):
    with pytest.raises(InvalidInput) as refused:
        whole_number(raw, "limit", 1, 100)
    assert refused.value.code == "invalid_limit"
    assert refused.value.details == {"minimum": 1, "maximum": 100}


def test_a_whole_number_in_range_or_the_default():
    assert whole_number("42", "week", 1, 1000) == 42
    assert whole_number(None, "limit", 1, 50, default=20) == 20
    assert whole_number("007", "limit", 1, 50) == 7
    with pytest.raises(InvalidInput):
        whole_number(None, "week", 1, 1000)  # no default: required


def test_nesting_is_measured_without_recursion():
    assert not too_deep([[{"a": [1]}]])
    nested: list = []
    for _ in range(100_000):
        nested = [nested]
    assert too_deep(nested)


@pytest.mark.parametrize("text", ["[" * 1000 + "]" * 1000, "[" * 100_000, "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)])
def test_json_nested_too_deep_is_invalid_input_not_a_recursion_error(text):
    with pytest.raises(InvalidInput) as refused:
        parse_bounded_json(text, code="invalid_cursor")
    assert refused.value.code == "invalid_cursor"


def test_json_within_bounds_parses_and_malformed_json_stays_a_value_error():
    assert parse_bounded_json("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert parse_bounded_json(b'{"a": {"b": [1, 2]}}') == {"a": {"b": [1, 2]}}
    with pytest.raises(ValueError):
        parse_bounded_json("{")
