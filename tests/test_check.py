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
    assert "changed its argument `w` in place" in message
    assert np.array_equal(check.no_mutation(lambda w, x: w + x, np.zeros(2), np.ones(2)), np.ones(2))


def test_no_warnings_catches_overflow_but_not_underflow():
    naive = lambda z: 1.0 / (1.0 + np.exp(-z))
    assert "floating-point error" in fails(check.no_warnings, naive, np.array([-1000.0]), name="sigmoid")
    assert check.no_warnings(np.exp, np.array([-1000.0]))[0] == 0.0


def test_is_true_uses_the_given_message():
    assert "errors never reach zero" in fails(check.is_true, False, "errors never reach zero")


# --- learner errors become plain words -------------------------------------------------

def _softmax_without_keepdims(z):
    e = np.exp(z - z.max(axis=1))
    return e / e.sum(axis=1)


def test_a_broadcasting_error_names_the_call_the_shapes_and_keepdims():
    message = fails(check.call, _softmax_without_keepdims, np.ones((2, 3)), name="softmax")
    assert "softmax raised ValueError" in message and "array of shape (2, 3)" in message
    assert "keepdims=True" in message and "(2,3) and (2,)" in message


def test_a_matrix_product_error_suggests_the_order_or_a_transpose():
    message = fails(check.call, lambda X, W: X @ W, np.ones((4, 3)), np.ones((2, 3)), name="layer")
    assert "layer raised ValueError" in message and ".T" in message


def test_index_and_type_errors_are_explained_too():
    assert "axis" in fails(check.call, lambda a: a[:, 5], np.ones((2, 3)), name="pick")
    assert "TypeError" in fails(check.no_mutation, lambda a: a + "x", np.ones(2), name="add")


def test_no_warnings_still_reports_overflow_not_a_raw_error():
    message = fails(check.no_warnings, lambda z: np.exp(z) / np.exp(z).sum(), np.array([1000.0]), name="softmax")
    assert "floating-point error" in message and "overflow" in message


def test_no_mutation_names_the_parameter_that_changed():
    def update(w, x, lr):
        w += lr * x
        return w

    message = fails(check.no_mutation, update, np.ones(3), np.ones(3), 0.1)
    assert "argument `w`" in message and "argument 1" not in message


def test_raised_returns_the_exception_name_or_none():
    def layer(name):
        if name != "relu":
            raise ValueError(f"unknown activation {name!r}")
        return 1.0

    assert check.raised(layer, "rleu") == "ValueError"
    assert check.raised(layer, "relu") is None
    def stub(name):
        raise NotImplementedError()
    assert "not implemented yet" in fails(check.raised, stub, "x")


def test_defined_asks_for_the_missing_variable_by_name():
    namespace = {"check": check, "w_or": 1}
    with pytest.raises(CheckFailed) as info:
        exec("check.defined('w_and', 'w_or')", namespace)
    assert "define `w_and` in the cell above first" in str(info.value) and "w_or" not in str(info.value)
    exec("check.defined('w_or')", namespace)


def test_prerequisite_blames_the_earlier_exercise():
    wrong_predict = lambda x: (x > 0).astype(float)  # noqa: E731 - the classic > for >= mistake
    message = fails(check.prerequisite, "perceptron_predict",
                    lambda: check.equal(check.call(wrong_predict, np.array([0.0])), [1.0], name="predict(0)"),
                    where="Exercise 1")
    assert "fix `perceptron_predict` first" in message and "Exercise 1" in message and "predict(0)" in message
    check.prerequisite("perceptron_predict", lambda: None)


def test_demo_says_which_exercise_to_finish(capsys):
    def stub():
        raise NotImplementedError()

    with check.demo("Exercise 3"):
        stub()
    assert "Finish Exercise 3" in capsys.readouterr().out
    with pytest.raises(CheckFailed) as info:
        with check.demo("Exercise 4"):
            np.ones((2, 3)) + np.ones(2)
    assert "Exercise 4" in str(info.value) and "ValueError" in str(info.value)


def test_every_check_function_hides_its_frames_from_ipython():
    import inspect

    visible = [name for name in check.__all__ if name != "CheckFailed"
               and "__tracebackhide__" not in inspect.getsource(getattr(check, name))]
    assert not visible, f"these check functions would show their frames in a learner's traceback: {visible}"


def test_earlier_loads_the_learners_function_only_when_it_passes(tmp_path):
    import shutil

    from course_lib import earlier
    from conftest import NOTEBOOKS, SOLUTIONS

    shutil.copy(SOLUTIONS / "03_activations.ipynb", tmp_path / "03_activations.ipynb")
    relu = earlier.load("03_activations", "relu", folder=tmp_path)
    assert np.array_equal(relu(np.array([-1.0, 2.0])), [0.0, 2.0])
    shutil.copy(NOTEBOOKS / "03_activations.ipynb", tmp_path / "03_activations.ipynb")
    with pytest.raises(earlier.EarlierMissing, match="relu is not implemented yet"):
        earlier.load("03_activations", "relu", folder=tmp_path)
    with pytest.raises(earlier.EarlierMissing, match="is not in"):
        earlier.load("05_forward_propagation", "mlp_forward", folder=tmp_path)


def test_no_warnings_names_the_cause_of_each_floating_point_error():
    log_of_zero = fails(check.no_warnings, lambda z: np.log(np.exp(z)), np.array([-1000.0]), name="f")
    assert "divide by zero" in log_of_zero and "log(0)" in log_of_zero and "overflows" not in log_of_zero
    zero_by_zero = fails(check.no_warnings, lambda z: z / z, np.array([0.0]), name="f")
    assert "invalid" in zero_by_zero and "NaN" in zero_by_zero


def test_a_shape_failure_keeps_the_tests_hint_and_the_diagnosis():
    message = fails(check.close, np.zeros((3, 2)), np.zeros((2, 3)), name="Z", hint="Z = A_prev @ W + b for layer 2.")
    assert "transpose" in message and "layer 2" in message


def test_no_mutation_sees_a_counter_changed_inside_a_dict():
    def adam_like(state):
        state["t"] += 1
        return state

    assert "argument `state`" in fails(check.no_mutation, adam_like, {"t": 0, "m": np.zeros(2)})


def test_a_diagnosis_and_a_hint_read_as_two_sentences():
    message = fails(check.close, np.array([2.0, 4.0]), np.array([1.0, 2.0]), hint="return the stored m.")
    assert "constant). Return the stored m." in message


def test_numpy_only_refuses_pytorch_inside_graded_calls_only():
    """Notebooks 01-11 call check.numpy_only() in their setup: a NumPy exercise answered by F.mse_loss fails in words
    (importing torch inside the function, or running any torch operation), while the cross-check outside works."""
    import subprocess
    import sys
    import textwrap

    program = textwrap.dedent('''
        import numpy as np
        from course_lib import check

        def lazy(p, t):
            import torch
            return float(torch.mean((torch.as_tensor(p) - torch.as_tensor(t)) ** 2))

        def honest(p, t):
            return float(np.mean((np.asarray(p) - t) ** 2))

        check.numpy_only()
        for fn in (lazy,):
            try:
                check.call(fn, np.ones(3), np.zeros(3))
            except check.CheckFailed as exc:
                assert "used PyTorch (it imports torch" in str(exc) and "written in NumPy" in str(exc), exc
            else:
                raise SystemExit("lazy passed")
        import torch
        import torch.nn.functional as F

        def delegates(p, t):
            return F.mse_loss(torch.tensor(p), torch.tensor(t)).item()

        for caller in (check.call, check.no_mutation, check.no_warnings):
            try:
                caller(delegates, np.ones(3), np.zeros(3))
            except check.CheckFailed as exc:
                assert "used PyTorch (it " in str(exc) and "torch." in str(exc), exc
            else:
                raise SystemExit(f"delegates passed {caller.__name__}")
        assert check.call(honest, np.ones(3), np.zeros(3)) == 1.0
        assert float(F.mse_loss(torch.ones(3), torch.zeros(3))) == 1.0   # PyTorch itself still works outside
        print("ok")
    ''')
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


def test_numpy_only_per_exercise_and_per_notebook():
    """12 mixes NumPy and PyTorch exercises: check.numpy_only(True/False) at the top of each test cell sets the rule
    for that exercise, until the next call. A notebook-wide check.numpy_only() (01-11's setup) cannot be lifted."""
    import subprocess
    import sys
    import textwrap

    program = textwrap.dedent('''
        import numpy as np
        from course_lib import check

        def lazy(p, t):
            import torch
            return float(torch.mean((torch.as_tensor(p) - torch.as_tensor(t)) ** 2))

        def honest(p, t):
            return float(np.mean((np.asarray(p) - t) ** 2))

        def refused(fn, words):
            try:
                check.call(fn, np.ones(3), np.zeros(3))
            except check.CheckFailed as exc:
                assert words in str(exc), exc
            else:
                raise SystemExit(f"{fn.__name__} passed")

        check.numpy_only(True)                     # a NumPy exercise, before torch is imported
        refused(lazy, "used PyTorch (it imports torch")
        refused(lazy, "this exercise is written in NumPy")
        check.numpy_only(False)                    # a PyTorch exercise: importing and running torch is fine
        assert check.call(lazy, np.ones(3), np.zeros(3)) == 1.0
        import torch
        import torch.nn.functional as F

        def delegates(p, t):
            return F.mse_loss(torch.tensor(p), torch.tensor(t)).item()

        assert check.no_mutation(delegates, np.ones(3), np.zeros(3)) == 1.0
        check.numpy_only(True)                     # the next NumPy exercise: refused again, in every kind of call
        for caller in (check.call, check.no_mutation, check.no_warnings):
            try:
                caller(delegates, np.ones(3), np.zeros(3))
            except check.CheckFailed as exc:
                assert "used PyTorch (it " in str(exc) and "this exercise is written in NumPy" in str(exc), exc
            else:
                raise SystemExit(f"delegates passed {caller.__name__} after numpy_only(True)")
        assert check.call(honest, np.ones(3), np.zeros(3)) == 1.0
        assert float(F.mse_loss(torch.ones(3), torch.zeros(3))) == 1.0   # outside the calls PyTorch works
        check.numpy_only(True)                     # the same rule twice is still that rule
        refused(delegates, "this exercise is written in NumPy")
        check.numpy_only(False)
        assert check.call(delegates, np.ones(3), np.zeros(3)) == 1.0

        check.numpy_only()                         # a NumPy notebook's setup: every exercise, for good
        refused(delegates, "the exercises of this notebook are written in NumPy")
        try:
            check.numpy_only(False)                # e.g. from a learner's answer cell
        except check.CheckFailed as exc:
            assert "cannot lift" in str(exc), exc
        else:
            raise SystemExit("numpy_only(False) lifted the notebook's rule")
        refused(delegates, "the exercises of this notebook are written in NumPy")
        check.numpy_only(True)
        refused(delegates, "the exercises of this notebook are written in NumPy")
        try:
            check.numpy_only("no")
        except TypeError:
            pass
        else:
            raise SystemExit("numpy_only accepted a string")
        print("ok")
    ''')
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


def test_a_notebook_that_mixes_numpy_and_pytorch_sets_the_rule_in_every_test_cell():
    """Where test cells call check.numpy_only(True/False) (12), every test cell starts with it, so that no exercise
    inherits the rule of the cell that ran before it; a notebook-wide numpy_only() in the setup needs none."""
    import ast

    from conftest import SOLUTIONS
    from course_lib.exercises import exercises, nbgrader_meta, read

    def rule_calls(source):
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))  # magics
        return [node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call)
                and ast.unparse(node.func) == "check.numpy_only"]

    mixed = []
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        nb = read(path)
        tests = [t for ex in exercises(nb) for t in ex.tests]
        per_cell = [t for t in tests if rule_calls(t.source)]
        setup = "".join(c.source for c in nb.cells if nbgrader_meta(c).get("grade_id") == "setup")
        if not per_cell:
            continue
        mixed.append(path.stem)
        assert not rule_calls(setup), f"{path.stem}: a notebook-wide numpy_only() and per-exercise rules at once"
        for test in tests:
            first = ast.parse(test.source).body[0]
            assert (isinstance(first, ast.Expr) and isinstance(first.value, ast.Call)
                    and ast.unparse(first.value.func) == "check.numpy_only" and len(first.value.args) == 1
                    and isinstance(first.value.args[0], ast.Constant) and isinstance(first.value.args[0].value, bool)), \
                f"{path.stem}/{test.grade_id}: the first statement must be check.numpy_only(True) or check.numpy_only(False)"
    assert "12_batchnorm_residual" in mixed
