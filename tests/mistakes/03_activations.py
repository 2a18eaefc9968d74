"""Realistic wrong answers for notebook 03 (activation functions and Checkpoint A).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message.
"""

_RELU_GRAD = '''

def relu_grad(z):
    return (np.asarray(z) > 0).astype(float)
'''

_RELU = '''def relu(z):
    return np.maximum(z, 0.0)

'''

_SIGMOID_GRAD = '''

def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)
'''

_SIGMOID = '''def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

'''

_TANH_GRAD = '''

def tanh_grad(z):
    t = tanh(z)
    return 1.0 - t * t
'''

_TANH = '''def tanh(z):
    return np.tanh(z)

'''

MISTAKES = {
    "relu": [
        (
            "sets the negative entries to 0 in place, changing the caller's array",
            "def relu(z):\n    z[z < 0] = 0.0\n    return z\n" + _RELU_GRAD, "in place",
        ),
        (
            "uses np.max (a reduction) instead of np.maximum (entry by entry)",
            "def relu(z):\n    return np.max(z, 0)\n" + _RELU_GRAD, "np.maximum(z, 0.0) compares every entry",
        ),
        (
            "relu_grad returns the boolean array z > 0 instead of floats",
            _RELU + "def relu_grad(z):\n    return z > 0\n", ".astype(float)",
        ),
        (
            "relu_grad returns relu(z) (the function instead of its slope)",
            _RELU + "def relu_grad(z):\n    return relu(z)\n", "the slope is 1 where z > 0",
        ),
        (
            "Python's max, which cannot compare a whole array with 0",
            "def relu(z):\n    return max(0, z)\n" + _RELU_GRAD, "element-wise functions",
        ),
        (
            "relu_grad is 1 at z = 0 (>= instead of >)",
            _RELU + "def relu_grad(z):\n    return (np.asarray(z) >= 0).astype(float)\n", "at exactly z = 0",
        ),
        (
            "relu with a Python loop over every entry (np.ndindex), which the exercise rules out",
            "def relu(z):\n"
            "    out = np.array(z, dtype=float)\n"
            "    for index in np.ndindex(out.shape):\n"
            "        if out[index] < 0:\n"
            "            out[index] = 0.0\n"
            "    return out\n" + _RELU_GRAD, "Python loop",
        ),
        (
            "relu_grad as a list comprehension over the flattened entries",
            _RELU + "def relu_grad(z):\n"
            "    z = np.asarray(z, dtype=float)\n"
            "    return np.array([1.0 if v > 0 else 0.0 for v in z.ravel()]).reshape(z.shape)\n", "Python loop",
        ),
    ],
    "sigmoid": [
        (
            "naive sigmoid 1 / (1 + exp(-z)) overflows for z = -1000",
            "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n" + _SIGMOID_GRAD, "exp() only ever sees zero or negative numbers",
        ),
        (
            "two-branch sigmoid with np.where, which still evaluates exp(z) for large z",
            "def sigmoid(z):\n"
            "    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-z)), np.exp(z) / (1.0 + np.exp(z)))\n"
            + _SIGMOID_GRAD, "exp() only ever sees zero or negative numbers",
        ),
        (
            "sigmoid_grad applies s(1 - s) to z instead of to sigmoid(z)",
            _SIGMOID + "def sigmoid_grad(z):\n    return z * (1.0 - z)\n", "not a formula in z",
        ),
        (
            "sigmoid_grad written as exp(-z) / (1 + exp(-z))**2, which overflows",
            _SIGMOID + "def sigmoid_grad(z):\n    return np.exp(-z) / (1.0 + np.exp(-z)) ** 2\n", "overflow",
        ),
        (
            "the other naive form exp(z) / (1 + exp(z)) overflows for z = 1000",
            "def sigmoid(z):\n    return np.exp(z) / (1.0 + np.exp(z))\n" + _SIGMOID_GRAD, "exp() only ever sees zero or negative numbers",
        ),
        (
            "math.exp, which takes one number, not an array",
            "import math\n\ndef sigmoid(z):\n    return 1.0 / (1.0 + math.exp(-z))\n" + _SIGMOID_GRAD, "only 0-dimensional arrays",
        ),
        (
            "sigmoid_grad as s * (1 + s)",
            _SIGMOID + "def sigmoid_grad(z):\n    s = sigmoid(z)\n    return s * (1.0 + s)\n", "s * (1 - s)",
        ),
    ],
    "tanh": [
        (
            "tanh from the exponential formula: inf / inf = nan for large inputs",
            "def tanh(z):\n    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))\n" + _TANH_GRAD, "overflow",
        ),
        (
            "tanh_grad applies 1 - t**2 to z instead of to tanh(z)",
            _TANH + "def tanh_grad(z):\n    return 1.0 - z ** 2\n", "square tanh(z), not z",
        ),
        (
            "tanh_grad forgets the square: 1 - tanh(z)",
            _TANH + "def tanh_grad(z):\n    return 1.0 - np.tanh(z)\n", "square tanh(z)",
        ),
        (
            "tanh_grad as 1 / cosh(z)**2: cosh overflows for large z",
            _TANH + "def tanh_grad(z):\n    return 1.0 / np.cosh(z) ** 2\n", "overflow encountered in cosh",
        ),
        (
            "tanh as 2 * naive_sigmoid(2z) - 1: exp overflows",
            "def tanh(z):\n    return 2.0 / (1.0 + np.exp(-2 * z)) - 1.0\n" + _TANH_GRAD, "overflow",
        ),
    ],
    "softmax": [
        (
            "softmax without subtracting the max: exp(1000) overflows",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z)\n"
            "    return e / np.sum(e, axis=axis, keepdims=True)\n", "overflow",
        ),
        (
            "normalises over axis 0 (down the columns) whatever axis is asked for",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=0, keepdims=True))\n"
            "    return e / np.sum(e, axis=0, keepdims=True)\n", "right axis",
        ),
        (
            "divides by the sum of the whole array, not of each row",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z))\n"
            "    return e / np.sum(e)\n", "right axis",
        ),
        (
            "subtracts the maximum of the whole array instead of each row's maximum",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z))\n"
            "    return e / np.sum(e, axis=axis, keepdims=True)\n", "each row's own maximum",
        ),
        (
            "subtracts the max in place (z -= ...), changing the caller's logits",
            "def softmax(z, axis=-1):\n"
            "    z -= np.max(z, axis=axis, keepdims=True)\n"
            "    e = np.exp(z)\n"
            "    return e / np.sum(e, axis=axis, keepdims=True)\n", "in place",
        ),
        (
            "no keepdims: the row maxima and sums do not broadcast against the batch",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=axis))\n"
            "    return e / np.sum(e, axis=axis)\n", "keepdims=True",
        ),
        (
            "keepdims on the max but not on the sum",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=axis, keepdims=True))\n"
            "    return e / np.sum(e, axis=axis)\n", "keepdims=True",
        ),
        (
            "hard-codes axis=1, which a single vector does not have",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=1, keepdims=True))\n"
            "    return e / np.sum(e, axis=1, keepdims=True)\n", "axis 1 is out of bounds",
        ),
        (
            "ignores the axis argument (always the last axis)",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n"
            "    return e / np.sum(e, axis=-1, keepdims=True)\n", "pass `axis` on",
        ),
        (
            "subtracts the minimum instead of the maximum",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.min(z, axis=axis, keepdims=True))\n"
            "    return e / np.sum(e, axis=axis, keepdims=True)\n", "exp() only ever sees zero or negative numbers",
        ),
    ],
    "softmax_jacobian": [
        (
            "keeps only the diagonal s_i (1 - s_i), forgetting the off-diagonal -s_i s_j",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.diag(s * (1.0 - s))\n", "off it",
        ),
        (
            "sign flipped: s s^T - diag(s)",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.outer(s, s) - np.diag(s)\n", "wrong sign",
        ),
        (
            "uses s_i (1 - s_j) for every pair",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.outer(s, 1.0 - s)\n", "−s_i·s_j off it",
        ),
        (
            "s @ s.T, a single number for a 1-D s, instead of np.outer(s, s)",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.diag(s) - s @ s.T\n", "−s_i·s_j off it",
        ),
        (
            "returns only the vector s * (1 - s)",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return s * (1 - s)\n", "a (K, K) matrix",
        ),
        (
            "builds s from exp(z) without the max subtraction",
            "def softmax_jacobian(z):\n    e = np.exp(z)\n    s = e / e.sum()\n    return np.diag(s) - np.outer(s, s)\n", "overflow",
        ),
    ],
    "checkpoint_a_layer": [
        (
            "forgets the bias",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation](X @ W)\n", "X @ W + b",
        ),
        (
            "applies the activation before adding the bias",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation](X @ W) + b\n", "add the bias first",
        ),
        (
            "an unknown activation name silently gives a linear layer",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    return f.get(activation, lambda z: z)(X @ W + b)\n", "should raise ValueError, but it returned a result",
        ),
        (
            "an unknown activation name raises KeyError instead of ValueError",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    return f[activation](X @ W + b)\n", "raised KeyError",
        ),
        (
            "X @ W.T: the factors do not fit",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation](X @ W.T + b)\n", "order of the factors",
        ),
        (
            "softmax over axis 0, across the examples",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh,\n"
            "         'softmax': lambda z: softmax(z, axis=0)}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation](X @ W + b)\n", "right axis",
        ),
        (
            "softmax written inline, subtracting the maximum of the whole batch instead of each row's",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    z = X @ W + b\n"
            "    if activation == 'linear':\n"
            "        return z\n"
            "    if activation == 'relu':\n"
            "        return relu(z)\n"
            "    if activation == 'sigmoid':\n"
            "        return sigmoid(z)\n"
            "    if activation == 'tanh':\n"
            "        return tanh(z)\n"
            "    if activation == 'softmax':\n"
            "        e = np.exp(z - np.max(z))\n"
            "        return e / np.sum(e, axis=-1, keepdims=True)\n"
            "    raise ValueError(f'unknown activation {activation!r}')\n", "each row's own maximum",
        ),
        (
            "returns the activation function instead of calling it",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation]\n", "forget the parentheses",
        ),
        (
            "an unknown name raises TypeError instead of ValueError",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise TypeError(activation)\n"
            "    return f[activation](X @ W + b)\n", "raised TypeError",
        ),
    ],
    "checkpoint_a_policy": [
        (
            "softmax written inline without subtracting the max: large features overflow",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    e = np.exp(state_features @ W + b)\n"
            "    return e / np.sum(e, axis=-1, keepdims=True)\n", "overflow",
        ),
        (
            "softmax written inline, subtracting the largest score of the whole batch instead of each state's",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    z = state_features @ W + b\n"
            "    e = np.exp(z - np.max(z))\n"
            "    return e / np.sum(e, axis=-1, keepdims=True)\n", "each state's own largest score",
        ),
        (
            "normalises over the batch axis (axis=0) instead of over the actions",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    return softmax(state_features @ W + b, axis=0)\n", "normalise along the last axis",
        ),
        (
            "forgets the bias",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    return softmax(state_features @ W)\n", "do not forget the bias",
        ),
        (
            "W @ s: the factors in the wrong order",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    return softmax(W @ state_features + b)\n", "order of the factors",
        ),
        (
            "returns the best action instead of the probabilities",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    return np.argmax(state_features @ W + b, axis=-1)\n", "the whole distribution",
        ),
    ],
    "checkpoint_a_greedy_action": [
        (
            "takes the argmax over axis 0 (over states instead of actions)",
            "def checkpoint_a_greedy_action(q_values):\n    return np.argmax(q_values, axis=0)\n", "along the last axis",
        ),
        (
            "returns the best Q-value (np.max) instead of the best action",
            "def checkpoint_a_greedy_action(q_values):\n    return np.max(q_values, axis=-1)\n", "not its value",
        ),
        (
            "argmax without an axis: one index into the flattened batch",
            "def checkpoint_a_greedy_action(q_values):\n    return np.argmax(q_values)\n", "along the last axis",
        ),
        (
            "hard-codes axis=1, which one state's 1-D Q-values do not have",
            "def checkpoint_a_greedy_action(q_values):\n    return np.argmax(q_values, axis=1)\n", "axis 1 is out of bounds",
        ),
        (
            "argmin instead of argmax",
            "def checkpoint_a_greedy_action(q_values):\n    return np.argmin(q_values, axis=-1)\n", "take the argmax",
        ),
    ],
    "debug_log_softmax": [
        (
            "the broken code, unchanged",
            "def log_softmax(z):\n    e = np.exp(z)\n    return np.log(e / e.sum(axis=0))\n", "overflow",
        ),
        (
            "log of a stable softmax: log(0) = -inf for a very unlikely action",
            "def log_softmax(z):\n"
            "    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n"
            "    return np.log(e / np.sum(e, axis=-1, keepdims=True))\n", "never take the log of a probability",
        ),
        (
            "subtracts the max but still sums over axis 0",
            "def log_softmax(z):\n"
            "    shifted = z - np.max(z, axis=-1, keepdims=True)\n"
            "    return shifted - np.log(np.sum(np.exp(shifted), axis=0))\n", "along the last axis",
        ),
        (
            "log-sum-exp without subtracting the max: exp(1000) overflows",
            "def log_softmax(z):\n"
            "    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))\n", "overflow",
        ),
        (
            "subtracts the maximum of the whole array instead of each row's",
            "def log_softmax(z):\n"
            "    shifted = z - np.max(z)\n"
            "    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))\n", "each row's own maximum",
        ),
        (
            "sums the whole batch instead of each row",
            "def log_softmax(z):\n"
            "    shifted = z - np.max(z, axis=-1, keepdims=True)\n"
            "    return shifted - np.log(np.sum(np.exp(shifted)))\n", "along the last axis",
        ),
        (
            "no keepdims on the sum",
            "def log_softmax(z):\n"
            "    shifted = z - np.max(z, axis=-1, keepdims=True)\n"
            "    return shifted - np.log(np.sum(np.exp(shifted), axis=-1))\n", "keepdims=True",
        ),
        (
            "subtracts the max in place (z -= ...), changing the caller's logits",
            "def log_softmax(z):\n"
            "    z -= np.max(z, axis=-1, keepdims=True)\n"
            "    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))\n", "in place",
        ),
    ],
}
