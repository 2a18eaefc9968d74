"""The grader's gradient checker: right gradients pass, and each classic backward-pass mistake is named.

The wrong gradients below are written in plain NumPy, the way a learner gets them wrong in
notebook 07; each must fail with a message that names the mistake.
"""
from __future__ import annotations

import numpy as np
import pytest

from course_lib import gradcheck
from course_lib.check import CheckFailed

M, N_IN, N_OUT = 5, 3, 4


def fails(fn, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return str(info.value)


@pytest.fixture
def layer():
    """A dense layer under the loss L = sum(G * (A @ W + b)) / m, so that dZ = G / m."""
    rng = np.random.default_rng(7)
    A = rng.normal(size=(M, N_IN))
    W = rng.normal(size=(N_IN, N_OUT))
    b = rng.normal(size=N_OUT)
    G = rng.normal(size=(M, N_OUT))
    return A, W, b, G


def loss_of_W(A, b, G):
    return lambda W: np.sum(G * (A @ W + b)) / len(A)


def loss_of_b(A, W, G):
    return lambda b: np.sum(G * (A @ W + b)) / len(A)


def test_right_gradients_pass_quietly(layer):
    A, W, b, G = layer
    dZ = G / M
    assert gradcheck.compare("dW", A.T @ dZ, loss_of_W(A, b, G), W, batch_size=M) is None
    assert gradcheck.compare_all([("dW", A.T @ dZ, loss_of_W(A, b, G), W),
                                  ("db", dZ.sum(axis=0), loss_of_b(A, W, G), b)], batch_size=M) is None


def test_no_public_function_hands_back_a_numerical_gradient():
    assert set(gradcheck.__all__) == {"THRESHOLD", "compare", "compare_all"}


def test_a_failure_is_a_check_failure_by_name(layer):
    A, W, b, G = layer
    with pytest.raises(CheckFailed) as info:
        gradcheck.compare("dW", -A.T @ (G / M), loss_of_W(A, b, G), W)
    assert type(info.value).__name__ == "CheckFailed"     # what nbgrader, the tests and the learner see


def test_the_point_is_not_changed_and_f_sees_its_shape(layer):
    A, W, b, G = layer
    before = W.copy()
    shapes = set()

    def f(W_):
        shapes.add(W_.shape)
        return np.sum(G * (A @ W_ + b)) / M

    gradcheck.compare("dW", A.T @ (G / M), f, W)
    assert np.array_equal(W, before) and shapes == {W.shape}


def test_an_integer_point_is_differenced_in_float64():
    gradcheck.compare("dx", np.array([2.0, 4.0, 6.0]), lambda x: np.sum(x ** 2), np.array([1, 2, 3]))


def test_message_names_the_parameter_and_the_worst_entry(layer):
    A, W, b, G = layer
    wrong = A.T @ (G / M)
    wrong[1, 2] += 10.0
    message = fails(gradcheck.compare, "dW1", wrong, loss_of_W(A, b, G), W)
    assert "dW1" in message and "dW1[1, 2]" in message and "relative error" in message


def test_missing_average_is_a_factor_of_the_batch_size(layer):
    A, W, b, G = layer
    message = fails(gradcheck.compare, "dW", A.T @ G, loss_of_W(A, b, G), W, batch_size=M)
    assert "factor" in message and f"m = {M}" in message and "forget to average" in message


def test_averaging_twice_is_a_factor_of_one_over_the_batch_size(layer):
    A, W, b, G = layer
    message = fails(gradcheck.compare, "dW", A.T @ (G / M) / M, loss_of_W(A, b, G), W, batch_size=M)
    assert "factor" in message and "twice" in message


def test_other_constant_factor(layer):
    A, W, b, G = layer
    message = fails(gradcheck.compare, "dW", 2 * A.T @ (G / M), loss_of_W(A, b, G), W, batch_size=M)
    assert "factor" in message and "square" in message


def test_transposed_square_gradient():
    rng = np.random.default_rng(3)
    A, W, G = rng.normal(size=(6, 4)), rng.normal(size=(4, 4)), rng.normal(size=(6, 4))
    f = lambda W_: np.sum(G * (A @ W_))
    message = fails(gradcheck.compare, "dW", (A.T @ G).T, f, W)
    assert "transpose" in message


def test_transposed_gradient_has_the_wrong_shape(layer):
    A, W, b, G = layer
    message = fails(gradcheck.compare, "dW", (A.T @ (G / M)).T, loss_of_W(A, b, G), W)
    assert "shape (4, 3)" in message and "(3, 4)" in message and "transpose" in message


def test_wrong_sign(layer):
    A, W, b, G = layer
    message = fails(gradcheck.compare, "dW", -A.T @ (G / M), loss_of_W(A, b, G), W, batch_size=M)
    assert "sign" in message


def test_relu_mask_from_the_upstream_gradient():
    rng = np.random.default_rng(5)
    Z, G = rng.normal(size=(8, 6)), rng.normal(size=(8, 6))
    f = lambda Z_: np.sum(G * np.maximum(Z_, 0.0))
    message = fails(gradcheck.compare, "dZ", G * (G > 0), f, Z)
    assert "ReLU" in message and "zero where the gradient should pass" in message


def test_relu_mask_forgotten():
    rng = np.random.default_rng(6)
    Z, G = rng.normal(size=(8, 6)), rng.normal(size=(8, 6))
    f = lambda Z_: np.sum(G * np.maximum(Z_, 0.0))
    message = fails(gradcheck.compare, "dZ", G.copy(), f, Z)
    assert "ReLU" in message and "should be zero" in message


def test_softmax_cross_entropy_without_the_one_hot():
    rng = np.random.default_rng(8)
    m, k = 6, 4
    logits, labels = rng.normal(size=(m, k)), rng.integers(0, k, size=m)

    def ce(z):
        shifted = z - z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -np.mean(log_p[np.arange(m), labels])

    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    message = fails(gradcheck.compare, "dZ", p / m, ce, logits, batch_size=m)
    assert "one-hot" in message and f"1/m for m = {m}" in message
    right = p.copy()
    right[np.arange(m), labels] -= 1.0
    gradcheck.compare("dZ", right / m, ce, logits, batch_size=m)


def test_only_the_bias_wrong(layer):
    A, W, b, G = layer
    dZ = G / M
    message = fails(gradcheck.compare_all, [("dW", A.T @ dZ, loss_of_W(A, b, G), W),
                                            ("db", dZ.sum(axis=0) + 0.3 * np.arange(N_OUT), loss_of_b(A, W, G), b)])
    assert "Only the bias" in message and "db = dZ.sum(axis=0)" in message
    assert "dW" in message and "ok" in message and "WRONG" in message


def test_bias_summed_over_the_wrong_axis(layer):
    A, W, b, G = layer
    message = fails(gradcheck.compare, "db", (G / M).sum(axis=1), loss_of_b(A, W, G), b, batch_size=M)
    assert "axis=0" in message


def test_earlier_layers_wrong_later_right():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(5, 3))
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    G = rng.normal(size=(5, 2))
    f1 = lambda W: np.sum(G * (np.tanh(X @ W) @ W2))
    f2 = lambda W: np.sum(G * (np.tanh(X @ W1) @ W))
    A1 = np.tanh(X @ W1)
    dW2 = A1.T @ G
    wrong_dW1 = X.T @ ((G @ W2.T) * (1 - (X @ W1) ** 2))     # derivative taken at Z instead of A
    message = fails(gradcheck.compare_all, [("dW1", wrong_dW1, f1, W1), ("dW2", dW2, f2, W2)], by_layer=True)
    assert "earlier ones" not in fails(gradcheck.compare_all, [("dW1", wrong_dW1, f1, W1), ("dW2", dW2, f2, W2)])
    assert "earlier ones are wrong" in message and "dW1" in message


def test_none_and_nan_are_named(layer):
    A, W, b, G = layer
    assert "return" in fails(gradcheck.compare, "dW", None, loss_of_W(A, b, G), W)
    bad = A.T @ (G / M)
    bad[0, 0] = np.nan
    assert "non-finite" in fails(gradcheck.compare, "dW", bad, loss_of_W(A, b, G), W)


def test_roundoff_of_a_correct_gradient_passes():
    rng = np.random.default_rng(10)
    Z, G = rng.normal(size=(20, 10)) * 30.0, rng.normal(size=(20, 10))
    sig = lambda z: 0.5 * (1.0 + np.tanh(0.5 * z))
    f = lambda Z_: np.sum(G * sig(Z_))
    gradcheck.compare("dZ", G * sig(Z) * (1 - sig(Z)), f, Z)


def test_ipython_shows_the_learners_code_not_this_module(layer):
    from IPython.core.interactiveshell import InteractiveShell

    A, W, b, G = layer
    InteractiveShell.instance()
    try:
        with pytest.raises(CheckFailed) as info:
            gradcheck.compare("dW", -A.T @ (G / M), loss_of_W(A, b, G), W)
        shown = "\n".join(info.value._render_traceback_())
    finally:
        InteractiveShell.clear_instance()
    library_frames = shown.replace("test_gradcheck.py", "")
    assert "wrong sign" in shown and "test_gradcheck.py" in shown
    assert "gradcheck.py" not in library_frames and "check.py" not in library_frames
