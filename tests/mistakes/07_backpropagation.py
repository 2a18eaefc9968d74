"""Realistic wrong answers for notebook 07 (backpropagation).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message. The backward-pass mistakes are the ones
course_lib.gradcheck diagnoses by name (tests/test_gradcheck.py checks the wording): a
missing or doubled 1/m, a transposed dW, a flipped sign, a ReLU mask taken from the wrong
array, the one-hot labels not subtracted, only the bias wrong.
"""

_RELATIVE_ERROR = '''

def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), 1e-12))
'''

_NUMERICAL_GRADIENT = '''def numerical_gradient(f, x, eps=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        f_plus = f(x)
        x[index] = old - eps
        f_minus = f(x)
        x[index] = old
        grad[index] = (f_plus - f_minus) / (2.0 * eps)
    return grad

'''

_STABLE_SIGMOID = "    s = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(Z, dtype=float)))\n"

_XOR_HEAD = '''def train_xor(seed, hidden=32, lr=0.5, steps=500):
    X, y = logic_gate("XOR")
'''

_XOR_LOOP = '''    for _ in range(steps):
        (W1, b1), (W2, b2) = layers
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0.0)
        Z2 = A1 @ W2 + b2
        cache = [{"A_prev": X, "Z": Z1, "A": A1}, {"A_prev": A1, "Z": Z2, "A": Z2}]
        grads = mlp_backward(softmax_cross_entropy_backward(Z2, y), cache, layers, [relu_backward, identity_backward])
'''

_XOR_INIT = '''    rng = np.random.default_rng(seed)
    layers = [(rng.normal(scale=1.0, size=(2, hidden)), np.zeros(hidden)),
              (rng.normal(scale=np.sqrt(2.0 / hidden), size=(hidden, 2)), np.zeros(2))]
'''

_XOR_STEP = "        layers = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(layers, grads)]\n    return layers\n"


def _value_net(dV: str, dZ1: str) -> str:
    return (
        "def value_net_gradients(S, returns, layers):\n"
        "    (W1, b1), (W2, b2) = layers\n"
        "    Z1 = S @ W1 + b1\n"
        "    A1 = np.tanh(Z1)\n"
        "    V = A1 @ W2 + b2\n"
        "    m = S.shape[0]\n"
        f"    dV = {dV}\n"
        "    dW2 = A1.T @ dV\n"
        "    db2 = dV.sum(axis=0)\n"
        "    dA1 = dV @ W2.T\n"
        f"    dZ1 = {dZ1}\n"
        "    dW1 = S.T @ dZ1\n"
        "    db1 = dZ1.sum(axis=0)\n"
        "    return [(dW1, db1), (dW2, db2)]\n"
    )


def _mlp(body: str) -> str:
    return "def mlp_backward(dOut, cache, layers, activation_backwards):\n" + body


MISTAKES = {
    "numerical_gradient": [
        (
            "one-sided difference (f(x + eps) - f(x)) / eps",
            "def numerical_gradient(f, x, eps=1e-6):\n"
            "    x = np.array(x, dtype=np.float64)\n"
            "    grad = np.zeros_like(x)\n"
            "    f0 = f(x)\n"
            "    for index in np.ndindex(x.shape):\n"
            "        old = x[index]\n"
            "        x[index] = old + eps\n"
            "        grad[index] = (f(x) - f0) / eps\n"
            "        x[index] = old\n"
            "    return grad\n" + _RELATIVE_ERROR,
            'central difference',
        ),
        (
            "central difference divided by eps instead of 2 * eps",
            _NUMERICAL_GRADIENT.replace("(2.0 * eps)", "eps") + _RELATIVE_ERROR.lstrip("\n"),
            'same factor of about 2',
        ),
        (
            "nudges the caller's array in place, without a float copy (integers round, x changes on the way)",
            "def numerical_gradient(f, x, eps=1e-6):\n"
            "    grad = np.zeros(x.shape)\n"
            "    for index in np.ndindex(x.shape):\n"
            "        old = x[index]\n"
            "        x[index] = old + eps\n"
            "        f_plus = f(x)\n"
            "        x[index] = old - eps\n"
            "        f_minus = f(x)\n"
            "        grad[index] = (f_plus - f_minus) / (2 * eps)\n"
            "    return grad\n" + _RELATIVE_ERROR,
            'changed its argument `x` in place',
        ),
        (
            "forgets to put each entry back before nudging the next one",
            _NUMERICAL_GRADIENT.replace("        x[index] = old\n", "") + _RELATIVE_ERROR.lstrip("\n"),
            'put every entry back',
        ),
        (
            "relative_error divides entry by entry instead of by the largest size",
            _NUMERICAL_GRADIENT + "def relative_error(a, b):\n"
            "    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
            "    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))\n",
            'not entry by entry',
        ),
        (
            "relative_error without the 1e-12 floor (0 / 0 for two zero gradients)",
            _NUMERICAL_GRADIENT + "def relative_error(a, b):\n"
            "    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
            "    return float(np.max(np.abs(a - b)) / np.max(np.abs(a) + np.abs(b)))\n",
            'floor of 1e-12',
        ),
    ],
    "dense_backward": [
        (
            "dW transposed: dZ.T @ A_prev",
            "def dense_backward(dZ, A_prev, W):\n"
            "    return dZ @ W.T, dZ.T @ A_prev, dZ.sum(axis=0)\n",
            'transpose',  # the message must name it
        ),
        (
            "averages over the batch again (divides dW and db by m)",
            "def dense_backward(dZ, A_prev, W):\n"
            "    m = A_prev.shape[0]\n"
            "    return dZ @ W.T, A_prev.T @ dZ / m, dZ.sum(axis=0) / m\n",
            'average over the batch twice',  # the message must name it
        ),
        (
            "db summed over the wrong axis (one entry per example)",
            "def dense_backward(dZ, A_prev, W):\n"
            "    return dZ @ W.T, A_prev.T @ dZ, dZ.sum(axis=1)\n",
            'only the bias gradients are wrong',
        ),
        (
            "only the bias wrong: db is the mean over the batch instead of the sum",
            "def dense_backward(dZ, A_prev, W):\n"
            "    return dZ @ W.T, A_prev.T @ dZ, dZ.mean(axis=0)\n",
            'only the bias gradients are wrong',
        ),
        (
            "dA_prev without the transpose: dZ @ W",
            "def dense_backward(dZ, A_prev, W):\n"
            "    return dZ @ W, A_prev.T @ dZ, dZ.sum(axis=0)\n",
            'needs a `.T`',
        ),
        (
            "wrong sign on every gradient",
            "def dense_backward(dZ, A_prev, W):\n"
            "    return -(dZ @ W.T), -(A_prev.T @ dZ), -dZ.sum(axis=0)\n",
            'wrong sign',  # the message must name it
        ),
        (
            "returns the three gradients in another order, (dW, dA_prev, db)",
            "def dense_backward(dZ, A_prev, W):\n"
            "    return A_prev.T @ dZ, dZ @ W.T, dZ.sum(axis=0)\n",
            "in another order",
        ),
        (
            "sums dW over the examples with a Python loop (the exercise asks for no loops)",
            "def dense_backward(dZ, A_prev, W):\n"
            "    dW = np.zeros_like(W)\n"
            "    for i in range(A_prev.shape[0]):\n"
            "        dW += np.outer(A_prev[i], dZ[i])\n"
            "    return dZ @ W.T, dW, dZ.sum(axis=0)\n",
            "Python loops",
        ),
    ],
    "relu_backward": [
        (
            "ReLU mask taken from the incoming gradient dA instead of from Z",
            "def relu_backward(dA, Z):\n    return dA * (dA > 0)\n",
            'the mask comes from Z',  # the message must name it
        ),
        (
            "returns the mask (relu'(Z)) and forgets to multiply by dA",
            "def relu_backward(dA, Z):\n    return (Z > 0).astype(float)\n",
            'pass dA where Z > 0',
        ),
        (
            "multiplies dA by relu(Z) instead of by relu'(Z)",
            "def relu_backward(dA, Z):\n    return dA * np.maximum(Z, 0.0)\n",
            'pass dA where Z > 0',
        ),
        (
            "no mask at all: passes dA everywhere",
            "def relu_backward(dA, Z):\n    return dA\n",
            'send 0 where Z <= 0',
        ),
        (
            "zeroes dA in place, changing the caller's array",
            "def relu_backward(dA, Z):\n    dA[Z <= 0] = 0.0\n    return dA\n",
            'changed its argument `dA` in place',
        ),
    ],
    "sigmoid_backward": [
        (
            "naive sigmoid 1 / (1 + exp(-Z)) overflows for Z = -1000",
            "def sigmoid_backward(dA, Z):\n    s = 1.0 / (1.0 + np.exp(-Z))\n    return dA * s * (1.0 - s)\n",
            'overflow',
        ),
        (
            "treats Z as if it were the sigmoid's output: dA * Z * (1 - Z)",
            "def sigmoid_backward(dA, Z):\n    return dA * Z * (1.0 - Z)\n",
            'the derivative at Z',
        ),
        (
            "forgets to multiply by the incoming gradient dA",
            "def sigmoid_backward(dA, Z):\n" + _STABLE_SIGMOID + "    return s * (1.0 - s)\n",
            'times the gradient that arrives',
        ),
        (
            "multiplies by sigmoid(Z) only, without the (1 - sigmoid(Z))",
            "def sigmoid_backward(dA, Z):\n" + _STABLE_SIGMOID + "    return dA * s\n",
            'σ(Z) · (1 − σ(Z))',
        ),
    ],
    "softmax_cross_entropy_backward": [
        (
            "does not subtract the one-hot labels: softmax / m",
            "def softmax_cross_entropy_backward(logits, labels):\n"
            "    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
            "    return e / e.sum(axis=1, keepdims=True) / logits.shape[0]\n",
            'one_hot',  # the message must name it
        ),
        (
            "forgets to average over the batch (no 1/m)",
            "def softmax_cross_entropy_backward(logits, labels):\n"
            "    p = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
            "    p = p / p.sum(axis=1, keepdims=True)\n"
            "    p[np.arange(len(labels)), labels] -= 1.0\n"
            "    return p\n",
            'same factor',  # the message must name it
        ),
        (
            "naive softmax without the max subtraction overflows for logits of 1000",
            "def softmax_cross_entropy_backward(logits, labels):\n"
            "    p = np.exp(logits)\n"
            "    p = p / p.sum(axis=1, keepdims=True)\n"
            "    p[np.arange(len(labels)), labels] -= 1.0\n"
            "    return p / len(labels)\n",
            'overflow',
        ),
        (
            "subtracts the one-hot from whole columns (p[:, labels] -= 1)",
            "def softmax_cross_entropy_backward(logits, labels):\n"
            "    p = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
            "    p = p / p.sum(axis=1, keepdims=True)\n"
            "    p[:, labels] -= 1.0\n"
            "    return p / len(labels)\n",
            'exactly one 1 per row',
        ),
        (
            "wrong sign: (one_hot - softmax) / m",
            "def softmax_cross_entropy_backward(logits, labels):\n"
            "    p = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
            "    p = p / p.sum(axis=1, keepdims=True)\n"
            "    p[np.arange(len(labels)), labels] -= 1.0\n"
            "    return -p / len(labels)\n",
            'wrong sign',  # the message must name it
        ),
        (
            "subtracts the largest logit of the whole batch instead of each row's",
            "def softmax_cross_entropy_backward(logits, labels):\n"
            "    p = np.exp(logits - logits.max())\n"
            "    p = p / p.sum(axis=1, keepdims=True)\n"
            "    p[np.arange(len(labels)), labels] -= 1.0\n"
            "    return p / len(labels)\n",
            "each row's own largest logit",
        ),
    ],
    "mlp_backward": [
        (
            "gives each activation's backward function the cached A instead of Z",
            _mlp("    grads = [None] * len(layers)\n"
                 "    dA = dOut\n"
                 "    for l in reversed(range(len(layers))):\n"
                 "        dZ = activation_backwards[l](dA, cache[l]['A'])\n"
                 "        dA, dW, db = dense_backward(dZ, cache[l]['A_prev'], layers[l][0])\n"
                 "        grads[l] = (dW, db)\n"
                 "    return grads\n"),
            "its own layer's Z",
        ),
        (
            "the activation's derivative taken at the wrong layer's Z (cache[l - 1])",
            _mlp("    grads = [None] * len(layers)\n"
                 "    dA = dOut\n"
                 "    for l in reversed(range(len(layers))):\n"
                 "        dZ = activation_backwards[l](dA, cache[l - 1]['Z'])\n"
                 "        dA, dW, db = dense_backward(dZ, cache[l]['A_prev'], layers[l][0])\n"
                 "        grads[l] = (dW, db)\n"
                 "    return grads\n"),
            "its own layer's Z",
        ),
        (
            "returns the gradients last layer first",
            _mlp("    grads = []\n"
                 "    dA = dOut\n"
                 "    for l in reversed(range(len(layers))):\n"
                 "        dZ = activation_backwards[l](dA, cache[l]['Z'])\n"
                 "        dA, dW, db = dense_backward(dZ, cache[l]['A_prev'], layers[l][0])\n"
                 "        grads.append((dW, db))\n"
                 "    return grads\n"),
            'first layer first',
        ),
        (
            "hands every layer dOut instead of the dA_prev of the layer above",
            _mlp("    grads = [None] * len(layers)\n"
                 "    for l in reversed(range(len(layers))):\n"
                 "        dZ = activation_backwards[l](dOut, cache[l]['Z'])\n"
                 "        _, dW, db = dense_backward(dZ, cache[l]['A_prev'], layers[l][0])\n"
                 "        grads[l] = (dW, db)\n"
                 "    return grads\n"),
            'what flows backwards between layers',
        ),
        (
            "gives dense_backward the layer's output A instead of its input A_prev",
            _mlp("    grads = [None] * len(layers)\n"
                 "    dA = dOut\n"
                 "    for l in reversed(range(len(layers))):\n"
                 "        dZ = activation_backwards[l](dA, cache[l]['Z'])\n"
                 "        dA, dW, db = dense_backward(dZ, cache[l]['A'], layers[l][0])\n"
                 "        grads[l] = (dW, db)\n"
                 "    return grads\n"),
            "cache[l]['A_prev'], the layer's input",
        ),
        (
            "walks the layers forwards, first to last",
            _mlp("    grads = []\n"
                 "    dA = dOut\n"
                 "    for l in range(len(layers)):\n"
                 "        dZ = activation_backwards[l](dA, cache[l]['Z'])\n"
                 "        dA, dW, db = dense_backward(dZ, cache[l]['A_prev'], layers[l][0])\n"
                 "        grads.append((dW, db))\n"
                 "    return grads\n"),
            'from the last to the first',
        ),
    ],
    "train_xor": [
        (
            "starts from all-zero weights (every hidden unit stays identical)",
            _XOR_HEAD + "    layers = [(np.zeros((2, hidden)), np.zeros(hidden)), (np.zeros((hidden, 2)), np.zeros(2))]\n"
            + _XOR_LOOP + _XOR_STEP,
            'all-zero weights keep every hidden unit identical',
        ),
        (
            "steps up the gradient (W + lr * dW)",
            _XOR_HEAD + _XOR_INIT + _XOR_LOOP + _XOR_STEP.replace("W - lr * dW", "W + lr * dW").replace(
                "b - lr * db", "b + lr * db"),
            'step against the gradient',
        ),
        (
            "ignores the seed (always default_rng(0))",
            _XOR_HEAD + _XOR_INIT.replace("default_rng(seed)", "default_rng(0)") + _XOR_LOOP + _XOR_STEP,
            'the seed you are given',
        ),
        (
            "draws the weights from NumPy's global generator, without the seed",
            _XOR_HEAD + "    layers = [(np.random.normal(size=(2, hidden)), np.zeros(hidden)),\n"
            "              (np.random.normal(size=(hidden, 2)) * np.sqrt(2.0 / hidden), np.zeros(2))]\n"
            + _XOR_LOOP + _XOR_STEP,
            'np.random.default_rng(seed), made inside the function',
        ),
        (
            "rebinds the loop variables (W = W - lr * dW), so the layers never change",
            _XOR_HEAD + _XOR_INIT + _XOR_LOOP
            + "        for (W, b), (dW, db) in zip(layers, grads):\n"
            "            W = W - lr * dW\n"
            "            b = b - lr * db\n"
            "    return layers\n",
            'keep the updated layers',
        ),
        (
            "ignores the learning rate it is given (always 0.5)",
            _XOR_HEAD + _XOR_INIT + _XOR_LOOP + _XOR_STEP.replace("lr * dW", "0.5 * dW").replace("lr * db", "0.5 * db"),
            "the learning rate you are given",
        ),
        (
            "ignores the number of steps it is given (always 500)",
            _XOR_HEAD + _XOR_INIT + _XOR_LOOP.replace("range(steps)", "range(500)") + _XOR_STEP,
            "exactly `steps` steps",
        ),
        (
            "steps the weights but never the biases",
            _XOR_HEAD + _XOR_INIT + _XOR_LOOP + _XOR_STEP.replace("b - lr * db", "b"),
            "the biases too",
        ),
    ],
    "debug_value_net_gradients": [
        (
            "fixes the derivative of tanh but keeps the missing factor 2",
            _value_net("(V - returns) / m", "dA1 * (1.0 - A1 ** 2)"),
            'a factor of 2 usually comes from a square',
        ),
        (
            "fixes the factor 2 but keeps tanh' at Z: 1 - Z1**2",
            _value_net("2.0 * (V - returns) / m", "dA1 * (1.0 - Z1 ** 2)"),
            'the earlier ones are wrong',
        ),
        (
            "writes tanh' as 1 - A1 (forgets the square)",
            _value_net("2.0 * (V - returns) / m", "dA1 * (1.0 - A1)"),
            'the earlier ones are wrong',
        ),
        (
            "flips the sign of the loss's derivative: 2 (returns - V) / m",
            _value_net("2.0 * (returns - V) / m", "dA1 * (1.0 - A1 ** 2)"),
            'wrong sign',
        ),
    ],
}
