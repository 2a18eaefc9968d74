"""The feedback helpers: each failure must say in words what is wrong, and each pass must pass."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib import check
from course_lib.check import CheckFailed


def fails(fn, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_close_passes_and_returns_the_array():
    out = check.close([1.0, 2.0], np.array([1.0, 2.0 + 1e-9]))
    assert isinstance(out, np.ndarray) and out.shape == (2,)


def test_none_result_suggests_a_missing_return():
    message = fails(check.close, None, [1.0], name="relu(z)")
    assert "relu(z) is None" in message and "return" in message


def test_wrong_shape_names_both_shapes():
    message = fails(check.close, np.zeros((2, 3)), np.zeros((3, 2)), name="h")
    assert "(2, 3)" in message and "(3, 2)" in message and "transpose" in message


def test_lost_dimension_suggests_keepdims():
    message = fails(check.shape, np.zeros(3), (3, 1), name="row sums")
    assert "keepdims" in message or "layout" in message


def test_nan_is_located():
    message = fails(check.close, np.array([[1.0, np.nan]]), np.ones((1, 2)), name="softmax(z)")
    assert "non-finite" in message and "nan" in message and "(0, 1)" in message


def test_worst_entry_and_tolerance_are_reported():
    message = fails(check.close, [1.0, 2.0, 3.5], [1.0, 2.0, 3.0], name="y")
    assert "index 2" in message and "got 3.5" in message and "expected 3" in message and "1 of 3" in message


def test_sign_flip_is_diagnosed():
    assert "sign" in fails(check.close, [-1.0, 2.0], [1.0, -2.0])


def test_constant_factor_is_diagnosed():
    assert "factor of about 2" in fails(check.close, [2.0, 4.0, 6.0], [1.0, 2.0, 3.0])


def test_constant_offset_suggests_the_bias():
    assert "bias" in fails(check.close, [1.5, 2.5, 3.5], [1.0, 2.0, 3.0])


def test_equal_reports_first_wrong_label():
    message = fails(check.equal, [0, 1, 1, 1], [0, 0, 0, 1], name="predictions")
    assert "index 1" in message and "2 of 4" in message


def test_sums_to_one_names_the_row():
    probs = np.array([[0.5, 0.5], [0.2, 0.53]])
    message = fails(check.sums_to_one, probs, name="softmax(z)")
    assert "row 1 sums to 0.73, not 1" in message and "axis" in message


def test_in_range_reports_value_outside():
    assert "outside the allowed range [0, 1]" in fails(check.in_range, [0.5, 1.2], 0, 1)


def test_dtype_kind():
    assert "expected floating point" in fails(check.dtype_kind, np.array([1, 2]), "f")
    check.dtype_kind(np.array([1.0]), "f")


def test_call_turns_the_stub_into_plain_words():
    def relu(z):
        raise NotImplementedError()

    assert "relu is not implemented yet" in fails(check.call, relu, 1.0)


def test_no_mutation_catches_in_place_updates():
    def update(w, x):
        w += x
        return w

    message = fails(check.no_mutation, update, np.zeros(2), np.ones(2))
    assert "changed its argument 1 in place" in message
    assert np.array_equal(check.no_mutation(lambda w, x: w + x, np.zeros(2), np.ones(2)), np.ones(2))


def test_no_warnings_catches_overflow_but_not_underflow():
    naive = lambda z: 1.0 / (1.0 + np.exp(-z))
    assert "floating-point error" in fails(check.no_warnings, naive, np.array([-1000.0]), name="sigmoid")
    assert check.no_warnings(np.exp, np.array([-1000.0]))[0] == 0.0


def test_is_true_uses_the_given_message():
    assert "errors never reach zero" in fails(check.is_true, False, "errors never reach zero")
