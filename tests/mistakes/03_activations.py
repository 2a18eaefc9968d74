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
            "def relu(z):\n    z[z < 0] = 0.0\n    return z\n" + _RELU_GRAD,
        ),
        (
            "uses np.max (a reduction) instead of np.maximum (entry by entry)",
            "def relu(z):\n    return np.max(z, 0)\n" + _RELU_GRAD,
        ),
        (
            "relu_grad returns the boolean array z > 0 instead of floats",
            _RELU + "def relu_grad(z):\n    return z > 0\n",
        ),
        (
            "relu_grad returns relu(z) (the function instead of its slope)",
            _RELU + "def relu_grad(z):\n    return relu(z)\n",
        ),
        (
            "Python's max, which cannot compare a whole array with 0",
            "def relu(z):\n    return max(0, z)\n" + _RELU_GRAD,
        ),
        (
            "relu_grad is 1 at z = 0 (>= instead of >)",
            _RELU + "def relu_grad(z):\n    return (np.asarray(z) >= 0).astype(float)\n",
        ),
    ],
    "sigmoid": [
        (
            "naive sigmoid 1 / (1 + exp(-z)) overflows for z = -1000",
            "def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n" + _SIGMOID_GRAD,
        ),
        (
            "two-branch sigmoid with np.where, which still evaluates exp(z) for large z",
            "def sigmoid(z):\n"
            "    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-z)), np.exp(z) / (1.0 + np.exp(z)))\n"
            + _SIGMOID_GRAD,
        ),
        (
            "sigmoid_grad applies s(1 - s) to z instead of to sigmoid(z)",
            _SIGMOID + "def sigmoid_grad(z):\n    return z * (1.0 - z)\n",
        ),
        (
            "sigmoid_grad written as exp(-z) / (1 + exp(-z))**2, which overflows",
            _SIGMOID + "def sigmoid_grad(z):\n    return np.exp(-z) / (1.0 + np.exp(-z)) ** 2\n",
        ),
        (
            "the other naive form exp(z) / (1 + exp(z)) overflows for z = 1000",
            "def sigmoid(z):\n    return np.exp(z) / (1.0 + np.exp(z))\n" + _SIGMOID_GRAD,
        ),
        (
            "math.exp, which takes one number, not an array",
            "import math\n\ndef sigmoid(z):\n    return 1.0 / (1.0 + math.exp(-z))\n" + _SIGMOID_GRAD,
        ),
        (
            "sigmoid_grad as s * (1 + s)",
            _SIGMOID + "def sigmoid_grad(z):\n    s = sigmoid(z)\n    return s * (1.0 + s)\n",
        ),
    ],
    "tanh": [
        (
            "tanh from the exponential formula: inf / inf = nan for large inputs",
            "def tanh(z):\n    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))\n" + _TANH_GRAD,
        ),
        (
            "tanh_grad applies 1 - t**2 to z instead of to tanh(z)",
            _TANH + "def tanh_grad(z):\n    return 1.0 - z ** 2\n",
        ),
        (
            "tanh_grad forgets the square: 1 - tanh(z)",
            _TANH + "def tanh_grad(z):\n    return 1.0 - np.tanh(z)\n",
        ),
        (
            "tanh_grad as 1 / cosh(z)**2: cosh overflows for large z",
            _TANH + "def tanh_grad(z):\n    return 1.0 / np.cosh(z) ** 2\n",
        ),
        (
            "tanh as 2 * naive_sigmoid(2z) - 1: exp overflows",
            "def tanh(z):\n    return 2.0 / (1.0 + np.exp(-2 * z)) - 1.0\n" + _TANH_GRAD,
        ),
    ],
    "softmax": [
        (
            "softmax without subtracting the max: exp(1000) overflows",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z)\n"
            "    return e / np.sum(e, axis=axis, keepdims=True)\n",
        ),
        (
            "normalises over axis 0 (down the columns) whatever axis is asked for",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=0, keepdims=True))\n"
            "    return e / np.sum(e, axis=0, keepdims=True)\n",
        ),
        (
            "divides by the sum of the whole array, not of each row",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z))\n"
            "    return e / np.sum(e)\n",
        ),
        (
            "subtracts the maximum of the whole array instead of each row's maximum",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z))\n"
            "    return e / np.sum(e, axis=axis, keepdims=True)\n",
        ),
        (
            "subtracts the max in place (z -= ...), changing the caller's logits",
            "def softmax(z, axis=-1):\n"
            "    z -= np.max(z, axis=axis, keepdims=True)\n"
            "    e = np.exp(z)\n"
            "    return e / np.sum(e, axis=axis, keepdims=True)\n",
        ),
        (
            "no keepdims: the row maxima and sums do not broadcast against the batch",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=axis))\n"
            "    return e / np.sum(e, axis=axis)\n",
        ),
        (
            "keepdims on the max but not on the sum",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=axis, keepdims=True))\n"
            "    return e / np.sum(e, axis=axis)\n",
        ),
        (
            "hard-codes axis=1, which a single vector does not have",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=1, keepdims=True))\n"
            "    return e / np.sum(e, axis=1, keepdims=True)\n",
        ),
        (
            "ignores the axis argument (always the last axis)",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n"
            "    return e / np.sum(e, axis=-1, keepdims=True)\n",
        ),
        (
            "subtracts the minimum instead of the maximum",
            "def softmax(z, axis=-1):\n"
            "    e = np.exp(z - np.min(z, axis=axis, keepdims=True))\n"
            "    return e / np.sum(e, axis=axis, keepdims=True)\n",
        ),
    ],
    "softmax_jacobian": [
        (
            "keeps only the diagonal s_i (1 - s_i), forgetting the off-diagonal -s_i s_j",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.diag(s * (1.0 - s))\n",
        ),
        (
            "sign flipped: s s^T - diag(s)",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.outer(s, s) - np.diag(s)\n",
        ),
        (
            "uses s_i (1 - s_j) for every pair",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.outer(s, 1.0 - s)\n",
        ),
        (
            "s @ s.T, a single number for a 1-D s, instead of np.outer(s, s)",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.diag(s) - s @ s.T\n",
        ),
        (
            "returns only the vector s * (1 - s)",
            "def softmax_jacobian(z):\n    s = softmax(z)\n    return s * (1 - s)\n",
        ),
        (
            "builds s from exp(z) without the max subtraction",
            "def softmax_jacobian(z):\n    e = np.exp(z)\n    s = e / e.sum()\n    return np.diag(s) - np.outer(s, s)\n",
        ),
    ],
    "checkpoint_a_layer": [
        (
            "forgets the bias",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation](X @ W)\n",
        ),
        (
            "applies the activation before adding the bias",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation](X @ W) + b\n",
        ),
        (
            "an unknown activation name silently gives a linear layer",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    return f.get(activation, lambda z: z)(X @ W + b)\n",
        ),
        (
            "an unknown activation name raises KeyError instead of ValueError",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    return f[activation](X @ W + b)\n",
        ),
        (
            "X @ W.T: the factors do not fit",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation](X @ W.T + b)\n",
        ),
        (
            "softmax over axis 0, across the examples",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh,\n"
            "         'softmax': lambda z: softmax(z, axis=0)}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation](X @ W + b)\n",
        ),
        (
            "returns the activation function instead of calling it",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise ValueError(activation)\n"
            "    return f[activation]\n",
        ),
        (
            "an unknown name raises TypeError instead of ValueError",
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    f = {'linear': lambda z: z, 'relu': relu, 'sigmoid': sigmoid, 'tanh': tanh, 'softmax': softmax}\n"
            "    if activation not in f:\n"
            "        raise TypeError(activation)\n"
            "    return f[activation](X @ W + b)\n",
        ),
    ],
    "checkpoint_a_policy": [
        (
            "softmax written inline without subtracting the max: large features overflow",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    e = np.exp(state_features @ W + b)\n"
            "    return e / np.sum(e, axis=-1, keepdims=True)\n",
        ),
        (
            "normalises over the batch axis (axis=0) instead of over the actions",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    return softmax(state_features @ W + b, axis=0)\n",
        ),
        (
            "forgets the bias",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    return softmax(state_features @ W)\n",
        ),
        (
            "W @ s: the factors in the wrong order",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    return softmax(W @ state_features + b)\n",
        ),
        (
            "returns the best action instead of the probabilities",
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    return np.argmax(state_features @ W + b, axis=-1)\n",
        ),
    ],
    "checkpoint_a_greedy_action": [
        (
            "takes the argmax over axis 0 (over states instead of actions)",
            "def checkpoint_a_greedy_action(q_values):\n    return np.argmax(q_values, axis=0)\n",
        ),
        (
            "returns the best Q-value (np.max) instead of the best action",
            "def checkpoint_a_greedy_action(q_values):\n    return np.max(q_values, axis=-1)\n",
        ),
        (
            "argmax without an axis: one index into the flattened batch",
            "def checkpoint_a_greedy_action(q_values):\n    return np.argmax(q_values)\n",
        ),
        (
            "hard-codes axis=1, which one state's 1-D Q-values do not have",
            "def checkpoint_a_greedy_action(q_values):\n    return np.argmax(q_values, axis=1)\n",
        ),
        (
            "argmin instead of argmax",
            "def checkpoint_a_greedy_action(q_values):\n    return np.argmin(q_values, axis=-1)\n",
        ),
    ],
    "debug_log_softmax": [
        (
            "the broken code, unchanged",
            "def log_softmax(z):\n    e = np.exp(z)\n    return np.log(e / e.sum(axis=0))\n",
        ),
        (
            "log of a stable softmax: log(0) = -inf for a very unlikely action",
            "def log_softmax(z):\n"
            "    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n"
            "    return np.log(e / np.sum(e, axis=-1, keepdims=True))\n",
        ),
        (
            "subtracts the max but still sums over axis 0",
            "def log_softmax(z):\n"
            "    shifted = z - np.max(z, axis=-1, keepdims=True)\n"
            "    return shifted - np.log(np.sum(np.exp(shifted), axis=0))\n",
        ),
        (
            "log-sum-exp without subtracting the max: exp(1000) overflows",
            "def log_softmax(z):\n"
            "    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))\n",
        ),
        (
            "sums the whole batch instead of each row",
            "def log_softmax(z):\n"
            "    shifted = z - np.max(z, axis=-1, keepdims=True)\n"
            "    return shifted - np.log(np.sum(np.exp(shifted)))\n",
        ),
        (
            "no keepdims on the sum",
            "def log_softmax(z):\n"
            "    shifted = z - np.max(z, axis=-1, keepdims=True)\n"
            "    return shifted - np.log(np.sum(np.exp(shifted), axis=-1))\n",
        ),
        (
            "subtracts the max in place (z -= ...), changing the caller's logits",
            "def log_softmax(z):\n"
            "    z -= np.max(z, axis=-1, keepdims=True)\n"
            "    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))\n",
        ),
    ],
}
