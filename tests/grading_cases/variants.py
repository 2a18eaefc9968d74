"""Honest answers that are not the solution's: each must earn full marks under `course grade`.

A test may pin a value (``check.close(relu(z), [0, 0.5])``) or leave it free (which
weights make an AND neuron, which rows a seeded sampler picks, how many random numbers an
epsilon-greedy policy draws). A valid answer that differs from the
solution only in what the tests leave free passes every test, hidden ones included, in
plain Jupyter, and must earn the same marks when graded: a grader that compares such a
value with the *solution's* (defect: 02's "two runs with the same seed agree" check once
compared the learner's second run with the solution's first) takes points from an honest
learner, and the canary cannot see it (the solution always agrees with itself).

``VARIANTS`` maps a notebook to its variants; each replaces some answer cells (by grade_id)
with other, valid code. tests/test_grading_variants.py grades each notebook's variants in a
batch of its own (the solution is graded in it too, as the canary, and must earn full marks)
and runs each variant in a plain kernel to show that it is valid. A notebook with no entry
is reported as skipped: when you write a notebook, add a variant that differs where its
tests leave room (a random stream, a free choice of values, another correct formula), so
the grading of that freedom is tested too.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    name: str                 # the student's name in the batch
    about: str
    answers: dict[str, str]   # grade_id of an answer cell -> the whole new cell


VARIANTS: dict[str, list[Variant]] = {
    "01_biological_neuron": [Variant("other_weights", "other AND/OR weights with a margin, step written with astype", {
        "logic_weights": (
            "w_and = np.array([0.6, 0.7])\n"
            "b_and = -1.0          # 0.6 + 0.7 - 1 > 0 only when both are on\n"
            "w_or = np.array([2.0, 1.5])\n"
            "b_or = -0.8\n"),
        "step": (
            "def step(z):\n"
            "    \"\"\"Heaviside step, element-wise: 1.0 where z >= 0, else 0.0 (floats, same shape as z).\"\"\"\n"
            "    return (np.asarray(z) >= 0).astype(float)\n"),
    }), Variant("other_forms", "McCulloch-Pitts by a loop over the lines, the sum by np.sum along the last axis, step by "
                                   "np.heaviside, a neuron and a layer that compute X @ w + b inline", {
        "mcculloch_pitts": (
            "def mcculloch_pitts(inputs, threshold, inhibitory=None):\n"
            "    \"\"\"Output (1 or 0) of a McCulloch-Pitts unit for one pattern of binary inputs.\"\"\"\n"
            "    inputs = np.asarray(inputs)\n"
            "    if inhibitory is None:\n"
            "        inhibitory = np.zeros(inputs.shape, dtype=bool)\n"
            "    inhibitory = np.asarray(inhibitory, dtype=bool)\n"
            "    count = 0\n"
            "    for x_i, blocks in zip(inputs, inhibitory):\n"
            "        if blocks and x_i == 1:\n"
            "            return 0\n"
            "        if not blocks:\n"
            "            count += int(x_i)\n"
            "    return 1 if count >= threshold else 0\n"),
        "weighted_sum": (
            "def weighted_sum(x, w, b):\n"
            "    return np.sum(x * w, axis=-1) + b\n"),
        "step": (
            "def step(z):\n"
            "    z = np.asarray(z)\n"
            "    return np.heaviside(z, 1.0)\n"),
        "neuron": (
            "def neuron(X, w, b, activation=None):\n"
            "    f = step if activation is None else activation\n"
            "    return f(np.dot(X, w) + b)\n"),
        "debug_layer": (
            "def layer(X, W, b):\n"
            "    # the bias was missing, and W.T paired inputs with rows of W\n"
            "    return np.where(np.dot(X, W) + b >= 0, 1.0, 0.0)\n"),
    })],
    # 02's tests leave the shuffle free (any shuffle drawn from the seed's generator): the issue's own
    # case, rng.choice without replacement, and another way of writing the same loop.
    "02_perceptron": [Variant("other_loop", "predicts inline and updates only on a mistake", {
        "train_perceptron": (
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    history = []\n"
            "    for _ in range(epochs):\n"
            "        count = 0\n"
            "        for i in rng.permutation(len(y)):\n"
            "            if int(X[i] @ w + b >= 0) != y[i]:\n"
            "                count += 1\n"
            "                w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "        history.append(count)\n"
            "        if count == 0:\n"
            "            break\n"
            "    return w, b, history\n"),
    }), Variant("other_shuffle", "shuffles with rng.choice(m, size=m, replace=False) instead of rng.permutation", {
        "train_perceptron": (
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    m, n = X.shape\n"
            "    w, b, errors_per_epoch = np.zeros(n), 0.0, []\n"
            "    for _ in range(epochs):\n"
            "        mistakes = 0\n"
            "        for i in rng.choice(m, size=m, replace=False):\n"
            "            if perceptron_predict(X[i:i + 1], w, b)[0] != y[i]:\n"
            "                mistakes += 1\n"
            "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "        errors_per_epoch.append(mistakes)\n"
            "        if mistakes == 0:\n"
            "            break\n"
            "    return w, b, errors_per_epoch\n"),
    }), Variant("other_forms", "labels by np.where, the update through perceptron_predict on a batch of one (as the text "
                                   "allows), an index array shuffled in place by the seeded generator in every epoch, Adaline from "
                                   "its gradient", {
        "perceptron_predict": (
            "def perceptron_predict(X, w, b):\n"
            "    return np.where(X @ w + b >= 0, 1, 0)\n"),
        "perceptron_update": (
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = perceptron_predict(x[None, :], w, b)[0]\n"
            "    if y_hat == y:\n"
            "        return w, b\n"
            "    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)\n"),
        "train_perceptron": (
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    order = np.arange(len(y))\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    errors_per_epoch = []\n"
            "    for epoch in range(epochs):\n"
            "        rng.shuffle(order)              # a new order in every epoch, from the one generator\n"
            "        mistakes = 0\n"
            "        for i in order:\n"
            "            if (X[i] @ w + b >= 0) != y[i]:\n"
            "                mistakes += 1\n"
            "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "        errors_per_epoch.append(mistakes)\n"
            "        if not mistakes:\n"
            "            break\n"
            "    return w, b, errors_per_epoch\n"),
        "adaline_step": (
            "def adaline_step(X, y, w, b, lr):\n"
            "    residual = np.asarray(y, dtype=float) - (X @ w + b)\n"
            "    grad_w = -2.0 * X.T @ residual / len(residual)\n"
            "    grad_b = -2.0 * np.mean(residual)\n"
            "    return w - lr * grad_w, b - lr * grad_b\n"),
        "debug_signed_update": (
            "def signed_update(x, t, w, b, lr):\n"
            "    # the step had the wrong sign, and the bias never moved\n"
            "    if t * (np.dot(x, w) + b) > 0:\n"
            "        return w, b\n"
            "    return w + lr * t * x, b + lr * t\n"),
    })],
    "03_activations": [Variant("other_formulas", "sigmoid through tanh, softmax through log-sum-exp", {
        "sigmoid": (
            "def sigmoid(z):\n"
            "    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))\n\n\n"
            "def sigmoid_grad(z):\n"
            "    s = sigmoid(z)\n"
            "    return s - s * s\n"),
        "softmax": (
            "def softmax(z, axis=-1):\n"
            "    z = np.asarray(z, dtype=float)\n"
            "    top = np.max(z, axis=axis, keepdims=True)\n"
            "    lse = top + np.log(np.sum(np.exp(z - top), axis=axis, keepdims=True))\n"
            "    return np.exp(z - lse)\n"),
    }), Variant("other_forms", "ReLU by np.where and np.heaviside, tanh as 2·sigmoid(2z) − 1 (as the text suggests), the "
                                   "Jacobian by broadcasting, an if-chain layer, an inline stable policy, log-softmax by "
                                   "np.logaddexp.reduce", {
        "relu": (
            "def relu(z):\n"
            "    z = np.asarray(z)\n"
            "    return np.where(z > 0, z, 0.0)\n"
            "\n"
            "\n"
            "def relu_grad(z):\n"
            "    return np.heaviside(np.asarray(z, dtype=float), 0.0)\n"),
        "tanh": (
            "def tanh(z):\n"
            "    return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=float)) - 1.0\n"
            "\n"
            "\n"
            "def tanh_grad(z):\n"
            "    t = tanh(z)\n"
            "    return (1.0 - t) * (1.0 + t)\n"),
        "softmax_jacobian": (
            "def softmax_jacobian(z):\n"
            "    s = softmax(z)\n"
            "    return s[:, None] * (np.eye(len(s)) - s[None, :])\n"),
        "checkpoint_a_layer": (
            "def checkpoint_a_layer(X, W, b, activation):\n"
            "    if activation not in ('linear', 'relu', 'sigmoid', 'tanh', 'softmax'):\n"
            "        raise ValueError(f'activation must be linear, relu, sigmoid, tanh or softmax, not {activation!r}')\n"
            "    z = np.dot(X, W) + b\n"
            "    if activation == 'relu':\n"
            "        return relu(z)\n"
            "    if activation == 'sigmoid':\n"
            "        return sigmoid(z)\n"
            "    if activation == 'tanh':\n"
            "        return tanh(z)\n"
            "    if activation == 'softmax':\n"
            "        return softmax(z, axis=-1)\n"
            "    return z\n"),
        "checkpoint_a_policy": (
            "def checkpoint_a_policy(state_features, W, b):\n"
            "    scores = state_features @ W + b\n"
            "    scores = scores - scores.max(axis=-1, keepdims=True)\n"
            "    e = np.exp(scores)\n"
            "    return e / e.sum(axis=-1, keepdims=True)\n"),
        "checkpoint_a_greedy_action": (
            "def checkpoint_a_greedy_action(q_values):\n"
            "    return np.asarray(q_values).argmax(axis=-1)\n"),
        "debug_log_softmax": (
            "def log_softmax(z):\n"
            "    z = np.asarray(z, dtype=float)\n"
            "    return z - np.logaddexp.reduce(z, axis=-1, keepdims=True)\n"),
    })],
    # 04's tests leave free: how the samplers draw (another random stream), the XOR weights (another plan).
    "04_multilayer_perceptrons": [Variant("other_streams", "XOR from two 'one but not the other' units; samplers "
                                          "drawing with rng.random / rng.standard_normal in other orders", {
        "count_parameters": (
            "def count_parameters(layer_sizes):\n"
            "    total = 0\n"
            "    for i in range(1, len(layer_sizes)):\n"
            "        total += int(layer_sizes[i]) * (int(layer_sizes[i - 1]) + 1)\n"
            "    return total\n"),
        "xor_weights": (
            "W1 = np.array([[1.0, -1.0], [-1.0, 1.0]])\n"
            "b1 = np.array([-0.5, -0.5])\n"
            "W2 = np.array([[2.0], [2.0]])\n"
            "b2 = np.array([-1.0])\n"),
        "xavier_uniform": (
            "def xavier_uniform(fan_in, fan_out, rng):\n"
            "    a = (6 / (fan_in + fan_out)) ** 0.5\n"
            "    return (2 * rng.random((fan_in, fan_out)) - 1) * a\n"),
        "he_normal": (
            "def he_normal(fan_in, fan_out, rng):\n"
            "    W = np.empty((fan_in, fan_out))\n"
            "    for j in range(fan_out):\n"
            "        W[:, j] = rng.standard_normal(fan_in) * np.sqrt(2 / fan_in)\n"
            "    return W\n"),
        "debug_init_network": (
            "def init_network(layer_sizes, rng):\n"
            "    out = []\n"
            "    for i in range(len(layer_sizes) - 1):\n"
            "        a, b = layer_sizes[i], layer_sizes[i + 1]\n"
            "        out.append((rng.standard_normal((b, a)).T * (2 / a) ** 0.5, np.zeros(b)))\n"
            "    return out\n"),
    })],
    # 05, 06 and 08 pin their values exactly (a forward pass, a loss, an optimiser step have one right
    # answer), so their variants are other correct formulas: the grader must not mistake them for wrong ones.
    "05_forward_propagation": [Variant("other_formulas", "layer shapes in a loop, the Q-values with np.dot and a ReLU via where", {
        "layer_shapes": (
            "def layer_shapes(batch_size, sizes):\n"
            "    table = []\n"
            "    for i in range(1, len(sizes)):\n"
            "        table.append(((batch_size, sizes[i - 1]), (sizes[i - 1], sizes[i]), (batch_size, sizes[i])))\n"
            "    return table\n"),
        "debug_q_values": (
            "def q_values(states, layers):\n"
            "    A = np.array(states, dtype=float)\n"
            "    last = len(layers) - 1\n"
            "    for i, (W, b) in enumerate(layers):\n"
            "        Z = np.dot(A, W) + b[None, :]\n"
            "        A = Z if i == last else np.where(Z > 0, Z, 0.0)\n"
            "    return A\n"),
    }), Variant("earlier_relu", "q_values with the learner's own relu from notebook 03, loaded through course_lib.earlier "
                "as section 6's demonstration loads it", {
        "debug_q_values": (
            "relu_03 = earlier.load(\"03_activations\", \"relu\")     # my ReLU from notebook 03\n\n\n"
            "def q_values(states, layers):\n"
            "    A = np.asarray(states, dtype=float)\n"
            "    for i, (W, b) in enumerate(layers):\n"
            "        Z = A @ W + b\n"
            "        A = Z if i == len(layers) - 1 else relu_03(Z)\n"
            "    return A\n"),
    })],
    "06_loss_functions": [Variant("other_formulas", "MSE as a dot product, BCE through logaddexp, Huber as a sum of two parts", {
        "mse": (
            "def mse(pred, target):\n"
            "    d = (np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)).ravel()\n"
            "    return float(d @ d / d.size)\n\n\n"
            "def mse_grad(pred, target):\n"
            "    pred = np.asarray(pred, dtype=float)\n"
            "    return (pred - target) * (2.0 / pred.size)\n"),
        "bce_with_logits": (
            "def bce_with_logits(logits, labels):\n"
            "    z = np.asarray(logits, dtype=float)\n"
            "    y = np.asarray(labels, dtype=float)\n"
            "    return float(np.mean(np.logaddexp(0.0, z) - y * z))\n\n\n"
            "def bce_with_logits_grad(logits, labels):\n"
            "    z = np.asarray(logits, dtype=float)\n"
            "    p = np.exp(-np.logaddexp(0.0, -z))\n"
            "    return (p - np.asarray(labels, dtype=float)) / len(z)\n"),
        "huber": (
            "def huber(pred, target, delta=1.0):\n"
            "    a = np.abs(np.asarray(pred, dtype=float) - np.asarray(target, dtype=float))\n"
            "    small = np.minimum(a, delta)\n"
            "    return float(np.mean(0.5 * small ** 2 + delta * (a - small)))\n\n\n"
            "def huber_grad(pred, target, delta=1.0):\n"
            "    r = np.asarray(pred, dtype=float) - np.asarray(target, dtype=float)\n"
            "    return np.where(np.abs(r) <= delta, r, delta * np.sign(r)) / r.size\n"),
    }), Variant("earlier_forward", "Checkpoint B1 runs the learner's own mlp_forward from notebook 05, loaded through "
                "course_lib.earlier as the demonstration after B2 loads it", {
        "checkpoint_b_classifier_loss": (
            "mlp_forward = earlier.load(\"05_forward_propagation\", \"mlp_forward\")     # my forward pass from notebook 05\n\n\n"
            "def checkpoint_b_classifier_loss(X, labels, layers):\n"
            "    activations = [lambda z: np.maximum(z, 0.0)] * (len(layers) - 1) + [lambda z: z]\n"
            "    logits, _ = mlp_forward(X, layers, activations)\n"
            "    return cross_entropy_with_logits(logits, labels)\n"),
    })],
    "08_gradient_descent": [Variant("other_formulas", "steps written with loops and np.subtract, the limit from eigh", {
        "sgd_step": (
            "def sgd_step(params, grads, lr):\n"
            "    out = []\n"
            "    for i in range(len(params)):\n"
            "        out.append(np.subtract(params[i], lr * grads[i]))\n"
            "    return out\n"),
        "largest_stable_lr": (
            "def largest_stable_lr(A):\n"
            "    values, _ = np.linalg.eigh(np.asarray(A, dtype=float))\n"
            "    return 2.0 / float(values[-1])\n"),
        "momentum_step": (
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    new_v, new_p = [], []\n"
            "    for p, g, v in zip(params, grads, velocity):\n"
            "        v = v * beta + g\n"
            "        new_v.append(v)\n"
            "        new_p.append(p - v * lr)\n"
            "    return new_p, new_v\n"),
    }), Variant("adam_efficient_form", "Adam written as in section 2 of Kingma & Ba (2015): the corrections folded into the "
                                       "step size and eps scaled to match, the same numbers", {
        "adam_step": (
            "def adam_init(params):\n"
            "    zeros = lambda: [np.zeros(np.shape(p)) for p in params]\n"
            "    return dict(t=0, m=zeros(), v=zeros())\n"
            "\n"
            "\n"
            "def adam_step(params, grads, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    t = state['t'] + 1\n"
            "    root = np.sqrt(1.0 - beta2 ** t)\n"
            "    step_size = lr * root / (1.0 - beta1 ** t)\n"
            "    m = [beta1 * a + (1.0 - beta1) * g for a, g in zip(state['m'], grads)]\n"
            "    v = [beta2 * b + (1.0 - beta2) * np.square(g) for b, g in zip(state['v'], grads)]\n"
            "    new = [p - step_size * a / (np.sqrt(b) + eps * root) for p, a, b in zip(params, m, v)]\n"
            "    return new, dict(t=t, m=m, v=v)\n"),
        "debug_adam_update": (
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1.0 - beta1) * g\n"
            "    v = beta2 * v + (1.0 - beta2) * np.square(g)\n"
            "    root = np.sqrt(1.0 - beta2 ** t)\n"
            "    return theta - lr * root / (1.0 - beta1 ** t) * m / (np.sqrt(v) + eps * root), m, v\n"),
    })],
    "07_backpropagation": [Variant("other_code", "a loop-based numerical gradient, sigmoid through tanh, one-hot from np.eye, the backward pass over reversed pairs, XOR from another start", {
        'numerical_gradient': (
            'def numerical_gradient(f, x, eps=1e-6):\n'
            '    x = np.asarray(x, dtype=float).copy()\n'
            '    grad = np.empty_like(x)\n'
            '    it = np.nditer(x, flags=["multi_index"])\n'
            '    while not it.finished:\n'
            '        i = it.multi_index\n'
            '        keep = x[i]\n'
            '        x[i] = keep + eps; fp = float(f(x))\n'
            '        x[i] = keep - eps; fm = float(f(x))\n'
            '        x[i] = keep\n'
            '        grad[i] = (fp - fm) / (2 * eps)\n'
            '        it.iternext()\n'
            '    return grad\n'
            '\n'
            'def relative_error(a, b):\n'
            '    a = np.asarray(a, float); b = np.asarray(b, float)\n'
            '    return np.abs(a - b).max() / np.maximum((np.abs(a) + np.abs(b)).max(), 1e-12)\n'),
        'sigmoid_backward': (
            'def sigmoid_backward(dA, Z):\n'
            '    s = 0.5 * (1 + np.tanh(Z / 2))\n'
            '    return dA * s * (1 - s)\n'),
        'softmax_cross_entropy_backward': (
            'def softmax_cross_entropy_backward(logits, labels):\n'
            '    z = logits - np.max(logits, axis=1, keepdims=True)\n'
            '    p = np.exp(z - np.log(np.exp(z).sum(axis=1, keepdims=True)))\n'
            '    onehot = np.eye(logits.shape[1])[labels]\n'
            '    return (p - onehot) / logits.shape[0]\n'),
        'mlp_backward': (
            'def mlp_backward(dOut, cache, layers, activation_backwards):\n'
            '    out = []\n'
            '    dA = dOut\n'
            '    for (W, b), c, back in zip(layers[::-1], cache[::-1], activation_backwards[::-1]):\n'
            '        dZ = back(dA, c["Z"])\n'
            '        dA, dW, db = dense_backward(dZ, c["A_prev"], W)\n'
            '        out.append((dW, db))\n'
            '    return out[::-1]\n'),
        'train_xor': (
            'def train_xor(seed, hidden=32, lr=0.5, steps=500):\n'
            '    X, y = logic_gate("XOR")\n'
            '    rng = np.random.default_rng(seed)\n'
            '    W2 = rng.uniform(-1, 1, size=(hidden, 2)) * np.sqrt(6 / (hidden + 2))\n'
            '    W1 = rng.uniform(-1, 1, size=(2, hidden))\n'
            '    b1, b2 = np.full(hidden, 0.01), np.zeros(2)\n'
            '    for _ in range(steps):\n'
            '        Z1 = X @ W1 + b1; A1 = np.maximum(Z1, 0); Z2 = A1 @ W2 + b2\n'
            '        cache = [dict(A_prev=X, Z=Z1, A=A1), dict(A_prev=A1, Z=Z2, A=Z2)]\n'
            '        (dW1, db1), (dW2, db2) = mlp_backward(softmax_cross_entropy_backward(Z2, y), cache, [(W1, b1), (W2, b2)],\n'
            '                                              [relu_backward, identity_backward])\n'
            '        W1 = W1 - lr * dW1; b1 = b1 - lr * db1; W2 = W2 - lr * dW2; b2 = b2 - lr * db2\n'
            '    return [(W1, b1), (W2, b2)]\n'),
    }), Variant("reuses_earlier", "reuses the learner's earlier notebooks through course_lib.earlier, as the "
                                  "demonstrations do: 03's sigmoid_grad, 06's cross-entropy gradient, 05's mlp_forward", {
        # notebook 06's cross_entropy_with_logits_grad is this exercise's gradient: Exercise 5 answered by one assignment
        "softmax_cross_entropy_backward": (
            'softmax_cross_entropy_backward = earlier.load("06_loss_functions", "cross_entropy_with_logits_grad")\n'),
        "sigmoid_backward": (
            'sigmoid_grad = earlier.load("03_activations", "sigmoid_grad")\n'
            '\n'
            '\n'
            'def sigmoid_backward(dA, Z):\n'
            '    return dA * sigmoid_grad(Z)\n'),
        "train_xor": (
            'mlp_forward = earlier.load("05_forward_propagation", "mlp_forward")\n'
            '\n'
            '\n'
            'def train_xor(seed, hidden=32, lr=0.5, steps=500):\n'
            '    X, y = logic_gate("XOR")\n'
            '    rng = np.random.default_rng(seed)\n'
            '    layers = [(rng.normal(scale=1.0, size=(2, hidden)), np.zeros(hidden)),\n'
            '              (rng.normal(scale=np.sqrt(2.0 / hidden), size=(hidden, 2)), np.zeros(2))]\n'
            '    for _ in range(steps):\n'
            '        logits, cache = mlp_forward(X, layers, [lambda z: np.maximum(z, 0.0), lambda z: z])\n'
            '        grads = mlp_backward(softmax_cross_entropy_backward(logits, y), cache, layers,\n'
            '                             [relu_backward, identity_backward])\n'
            '        layers = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(layers, grads)]\n'
            '    return layers\n'),
    })],
    "09_training_loop": [Variant("other_code", "minibatches from a reversed shuffle, accuracy via a comparison count, fit written another way, other checkpoint C hyperparameters", {
        'minibatches': (
            'def minibatches(n, batch_size, rng):\n'
            '    order = np.arange(n)\n'
            '    rng.shuffle(order)\n'
            '    order = order[::-1]\n'
            '    batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]\n'
            '    return batches\n'),
        'accuracy': (
            'def accuracy(outputs, labels):\n'
            '    outputs = np.asarray(outputs)\n'
            '    right = sum(int(np.argmax(row) == label) for row, label in zip(outputs, labels))\n'
            '    return right / len(outputs)\n'),
        'fit': (
            'def fit(params, loss_and_grads, predict, loss_fn, step, train, val, epochs, batch_size, rng, on_epoch=None):\n'
            '    X, y = train\n'
            '    X_val, y_val = val\n'
            '    history = {k: [] for k in ("val_loss", "val_acc", "train_loss", "train_acc")}\n'
            '    state = None\n'
            '    params = list(params)\n'
            '    epoch = 0\n'
            '    while epoch < epochs:\n'
            '        epoch += 1\n'
            '        for idx in minibatches(X.shape[0], batch_size, rng):\n'
            '            grads = loss_and_grads(params, X[idx], y[idx])[1]\n'
            '            params, state = step(params, grads, state)\n'
            '        history["val_loss"].append(float(loss_fn(predict(params, X_val), y_val)))\n'
            '        history["val_acc"].append(accuracy(predict(params, X_val), y_val))\n'
            '        history["train_loss"].append(float(loss_fn(predict(params, X), y)))\n'
            '        history["train_acc"].append(accuracy(predict(params, X), y))\n'
            '        if on_epoch:\n'
            '            on_epoch(epoch, params, history)\n'
            '    return params, history\n'),
        'checkpoint_c_train': (
            'def checkpoint_c_train(X, y, n_classes, seed):\n'
            '    rng = np.random.default_rng(seed)\n'
            '    h = 64\n'
            '    b1 = np.zeros(h)\n'
            '    W2 = rng.normal(size=(h, n_classes)) * np.sqrt(1.0 / h)\n'
            '    W1 = rng.normal(size=(X.shape[1], h)) * np.sqrt(2.0 / X.shape[1])\n'
            '    layers = [(W1, b1), (W2, np.zeros(n_classes))]\n'
            '    for epoch in range(40):\n'
            '        for idx in minibatches(len(X), 16, rng):\n'
            '            loss, ((dW1, db1), (dW2, db2)) = checkpoint_c_gradients(X[idx], y[idx], layers)\n'
            '            (W1, b1), (W2, b2) = layers\n'
            '            layers = [(W1 - 0.1 * dW1, b1 - 0.1 * db1), (W2 - 0.1 * dW2, b2 - 0.1 * db2)]\n'
            '    return layers\n'),
        'debug_train_loop': (
            'def train_loop(params, loss_and_grads, predict, loss_fn, step, train, val, epochs, batch_size, seed):\n'
            '    X, y = train\n'
            '    X_val, y_val = val\n'
            '    rng = np.random.default_rng(seed)\n'
            '    history = {"train_loss": [], "val_loss": []}\n'
            '    state = None\n'
            '    for epoch in range(epochs):\n'
            '        total, count = 0.0, 0\n'
            '        for idx in minibatches(len(X), batch_size, rng):\n'
            '            loss, grads = loss_and_grads(params, X[idx], y[idx])\n'
            '            params, state = step(params, grads, state)\n'
            '            total += loss * len(idx)\n'
            '            count += len(idx)\n'
            '        history["train_loss"].append(total / count)\n'
            '        history["val_loss"].append(loss_fn(predict(params, X_val), y_val))\n'
            '    return params, history\n'),
    }), Variant("reuses_earlier", "reuses the learner's earlier notebooks through course_lib.earlier, as the "
                                  "demonstrations do (05's mlp_forward, 07's backward passes, 08's sgd_step); batches "
                                  "from rng.choice without replacement", {
        "minibatches": (
            "def minibatches(n, batch_size, rng):\n"
            "    order = rng.choice(n, size=n, replace=False)\n"
            "    start = 0\n"
            "    while start < n:\n"
            "        yield order[start:start + batch_size]\n"
            "        start += batch_size\n"),
        "checkpoint_c_gradients": (
            'mlp_forward = earlier.load("05_forward_propagation", "mlp_forward")\n'
            'mlp_backward, softmax_cross_entropy_backward = earlier.load("07_backpropagation", "mlp_backward",\n'
            '                                                            "softmax_cross_entropy_backward")\n'
            '\n'
            '\n'
            'def checkpoint_c_gradients(X, y, layers):\n'
            '    logits, cache = mlp_forward(X, layers, [lambda z: np.maximum(z, 0.0), lambda z: z])\n'
            '    top = logits.max(axis=1, keepdims=True)\n'
            '    loss = float(np.mean(top[:, 0] + np.log(np.exp(logits - top).sum(axis=1)) - logits[np.arange(len(y)), y]))\n'
            '    grads = mlp_backward(softmax_cross_entropy_backward(logits, y), cache, layers,\n'
            '                         [lambda dA, Z: dA * (Z > 0), lambda dA, Z: dA])\n'
            '    return loss, grads\n'),
        "checkpoint_c_train": (
            'sgd_step = earlier.load("08_gradient_descent", "sgd_step")\n'
            '\n'
            '\n'
            'def checkpoint_c_train(X, y, n_classes, seed):\n'
            '    rng = np.random.default_rng(seed)\n'
            '    n_in, h = X.shape[1], 32\n'
            '    params = [rng.normal(size=(n_in, h)) * np.sqrt(2.0 / n_in), np.zeros(h),\n'
            '              rng.normal(size=(h, n_classes)) * np.sqrt(1.0 / h), np.zeros(n_classes)]\n'
            '    for _ in range(50):\n'
            '        for idx in minibatches(len(X), 32, rng):\n'
            '            _, ((dW1, db1), (dW2, db2)) = checkpoint_c_gradients(X[idx], y[idx],\n'
            '                                                                [tuple(params[:2]), tuple(params[2:])])\n'
            '            params = sgd_step(params, [dW1, db1, dW2, db2], 0.2)\n'
            '    return [tuple(params[:2]), tuple(params[2:])]\n'),
    })],
    "11_convolutional_networks": [Variant("other_code", "size via math.floor, loops over kernel offsets, as_strided with einsum, pooling by loops, im2col by sliding_window_view", {
        "conv_output_size": (
            "import math\n\n\n"
            "def conv_output_size(size, kernel, stride=1, padding=0):\n"
            "    return int(math.floor((size + 2 * padding - kernel) / stride)) + 1\n"),
        "conv2d_loops": (
            "def conv2d_loops(x, w, b, stride=1, padding=0):\n"
            "    c_out, c_in, kh, kw = w.shape\n"
            "    h, wd = x.shape[1] + 2 * padding, x.shape[2] + 2 * padding\n"
            "    xp = np.zeros((c_in, h, wd))\n"
            "    xp[:, padding:h - padding, padding:wd - padding] = x\n"
            "    out_h, out_w = (h - kh) // stride + 1, (wd - kw) // stride + 1\n"
            "    y = np.zeros((c_out, out_h, out_w)) + np.reshape(b, (-1, 1, 1))\n"
            "    for u in range(kh):\n"
            "        for v in range(kw):\n"
            "            part = xp[:, u:u + stride * (out_h - 1) + 1:stride, v:v + stride * (out_w - 1) + 1:stride]\n"
            "            for o in range(c_out):\n"
            "                for c in range(c_in):\n"
            "                    y[o] += w[o, c, u, v] * part[c]\n"
            "    return y\n"),
        "conv2d_fast": (
            "def conv2d_fast(x, w, b, stride=1, padding=0):\n"
            "    from numpy.lib.stride_tricks import as_strided\n"
            "    c_out, c_in, kh, kw = w.shape\n"
            "    xp = np.ascontiguousarray(np.pad(x.astype(np.float64), [(0, 0), (padding, padding), (padding, padding)]))\n"
            "    out_h, out_w = (xp.shape[1] - kh) // stride + 1, (xp.shape[2] - kw) // stride + 1\n"
            "    sc, sh, sw = xp.strides\n"
            "    view = as_strided(xp, (out_h, out_w, c_in, kh, kw), (sh * stride, sw * stride, sc, sh, sw), writeable=False)\n"
            "    return np.einsum('ijcuv,ocuv->oij', view, w, optimize=True) + b[:, None, None]\n"),
        "max_pool2d": (
            "def max_pool2d(x, size=2, stride=2):\n"
            "    c, h, w = x.shape\n"
            "    out = np.empty((c, (h - size) // stride + 1, (w - size) // stride + 1))\n"
            "    for ch in range(c):\n"
            "        for i in range(out.shape[1]):\n"
            "            for j in range(out.shape[2]):\n"
            "                out[ch, i, j] = np.max(x[ch, i * stride:i * stride + size, j * stride:j * stride + size])\n"
            "    return out\n"),
        "debug_im2col": (
            "def im2col(x, kernel_h, kernel_w, stride=1):\n"
            "    view = np.lib.stride_tricks.sliding_window_view(x, (kernel_h, kernel_w), axis=(1, 2))\n"
            "    view = view[:, ::stride, ::stride]\n"
            "    return np.moveaxis(view, 0, 2).reshape(view.shape[1] * view.shape[2], -1)\n"),
    }), Variant("kernel_offsets", "conv2d_fast as a loop over the kH x kW offsets inside the window (its text allows "
                                  "it: no loop over the output positions), pooling as a maximum over the offsets", {
        "conv2d_fast": (
            "def conv2d_fast(x, w, b, stride=1, padding=0):\n"
            "    c_out, c_in, kh, kw = w.shape\n"
            "    xp = np.pad(np.asarray(x, dtype=float), ((0, 0), (padding, padding), (padding, padding)))\n"
            "    out_h, out_w = (xp.shape[1] - kh) // stride + 1, (xp.shape[2] - kw) // stride + 1\n"
            "    y = np.broadcast_to(np.asarray(b, dtype=float)[:, None, None], (c_out, out_h, out_w)).copy()\n"
            "    for u in range(kh):\n"
            "        for v in range(kw):\n"
            "            shifted = xp[:, u:u + stride * (out_h - 1) + 1:stride, v:v + stride * (out_w - 1) + 1:stride]\n"
            "            y += np.tensordot(w[:, :, u, v], shifted, axes=([1], [0]))\n"
            "    return y\n"),
        "max_pool2d": (
            "def max_pool2d(x, size=2, stride=2):\n"
            "    c, h, w = x.shape\n"
            "    out_h, out_w = (h - size) // stride + 1, (w - size) // stride + 1\n"
            "    best = np.full((c, out_h, out_w), -np.inf)\n"
            "    for u in range(size):\n"
            "        for v in range(size):\n"
            "            best = np.maximum(best, x[:, u:u + stride * (out_h - 1) + 1:stride, v:v + stride * (out_w - 1) + 1:stride])\n"
            "    return best\n"),
    })],
    # 12 pins every value (a batch-norm forward pass and a residual block have one right answer), so its variant
    # is other correct code: np.var with ddof, a lerp-style update, np.where for ReLU, F.relu, buffers via lerp_.
    "12_batchnorm_residual": [Variant("other_formulas", "running averages as lerps with ddof=1, ReLU via np.where, "
                                      "a block through F.relu and a hand-written layer with torch.lerp", {
        "batchnorm_forward": (
            "def batchnorm_forward(X, gamma, beta, state, training, momentum=0.1, eps=1e-5):\n"
            "    X = np.array(X, dtype=np.float64)\n"
            "    if not training:\n"
            "        centred = X - state['mean']\n"
            "        return gamma * centred / np.sqrt(state['var'] + eps) + beta\n"
            "    centred = X - np.mean(X, axis=0, keepdims=True)\n"
            "    biased = np.mean(centred ** 2, axis=0)\n"
            "    state['mean'] = state['mean'] + momentum * (X.mean(axis=0) - state['mean'])\n"
            "    state['var'] = state['var'] + momentum * (np.var(X, axis=0, ddof=1) - state['var'])\n"
            "    return centred / np.sqrt(biased + eps) * gamma + beta\n"),
        "residual_block_forward": (
            "def residual_block_forward(X, W1, b1, W2, b2):\n"
            "    Z = np.dot(X, W1) + b1\n"
            "    H = np.where(Z > 0, Z, 0.0)\n"
            "    S = X + np.dot(H, W2) + b2\n"
            "    return np.where(S > 0, S, 0.0)\n"),
        "residual_block": (
            "class ResidualBlock(nn.Module):\n"
            "    def __init__(self, width, normalised=True):\n"
            "        super().__init__()\n"
            "        self.linear1, self.linear2 = nn.Linear(width, width), nn.Linear(width, width)\n"
            "        if normalised:\n"
            "            self.norm1, self.norm2 = nn.BatchNorm1d(width), nn.BatchNorm1d(width)\n"
            "        else:\n"
            "            self.norm1, self.norm2 = nn.Identity(), nn.Identity()\n\n"
            "    def forward(self, x):\n"
            "        h = torch.nn.functional.relu(self.norm1(self.linear1(x)))\n"
            "        return torch.nn.functional.relu(self.norm2(self.linear2(h)) + x)\n"),
        "debug_batchnorm_layer": (
            "class BatchNormLayer(nn.Module):\n"
            "    def __init__(self, width, momentum=0.1, eps=1e-5):\n"
            "        super().__init__()\n"
            "        self.momentum = momentum\n"
            "        self.eps = eps\n"
            "        self.register_parameter('weight', nn.Parameter(torch.ones(width)))\n"
            "        self.register_parameter('bias', nn.Parameter(torch.zeros(width)))\n"
            "        self.register_buffer('running_var', torch.ones(width))\n"
            "        self.register_buffer('running_mean', torch.zeros(width))\n\n"
            "    def forward(self, x):\n"
            "        if not self.training:\n"
            "            return (x - self.running_mean) * torch.rsqrt(self.running_var + self.eps) * self.weight + self.bias\n"
            "        mean = x.mean(dim=0, keepdim=True)\n"
            "        var = ((x - mean) ** 2).mean(dim=0, keepdim=True)\n"
            "        with torch.no_grad():\n"
            "            self.running_mean.lerp_(mean[0], self.momentum)\n"
            "            self.running_var.lerp_(x.var(dim=0, unbiased=True), self.momentum)\n"
            "        return (x - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias\n"),
    }), Variant("in_place_state", "running averages updated in place in the caller's arrays (the text allows it, as "
                                  "PyTorch updates its buffers), buffers replaced by detached tensors, torch.var_mean", {
        "batchnorm_forward": (
            "def batchnorm_forward(X, gamma, beta, state, training, momentum=0.1, eps=1e-5):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    if training:\n"
            "        mean, var = X.mean(axis=0), X.var(axis=0)\n"
            "        state['mean'] *= 1 - momentum\n"
            "        state['mean'] += momentum * mean\n"
            "        state['var'] *= 1 - momentum\n"
            "        state['var'] += momentum * X.var(axis=0, ddof=1)\n"
            "    else:\n"
            "        mean, var = state['mean'], state['var']\n"
            "    return (X - mean) * (gamma / np.sqrt(var + eps)) + beta\n"),
        "residual_block": (
            "class ResidualBlock(nn.Module):\n"
            "    def __init__(self, width, normalised=True):\n"
            "        super().__init__()\n"
            "        make_norm = (lambda: nn.BatchNorm1d(width)) if normalised else nn.Identity\n"
            "        self.linear1 = nn.Linear(width, width)\n"
            "        self.norm1 = make_norm()\n"
            "        self.linear2 = nn.Linear(width, width)\n"
            "        self.norm2 = make_norm()\n\n"
            "    def forward(self, x):\n"
            "        branch = self.norm2(self.linear2(self.norm1(self.linear1(x)).clamp(min=0)))\n"
            "        return torch.clamp(x + branch, min=0)\n"),
        "debug_batchnorm_layer": (
            "class BatchNormLayer(nn.Module):\n"
            "    def __init__(self, width, momentum=0.1, eps=1e-5):\n"
            "        super().__init__()\n"
            "        self.momentum, self.eps = momentum, eps\n"
            "        self.weight = nn.Parameter(torch.ones(width))\n"
            "        self.bias = nn.Parameter(torch.zeros(width))\n"
            "        self.register_buffer('running_mean', torch.zeros(width))\n"
            "        self.register_buffer('running_var', torch.ones(width))\n\n"
            "    def forward(self, x):\n"
            "        if self.training:\n"
            "            m = x.shape[0]\n"
            "            var, mean = torch.var_mean(x, dim=0, correction=0)\n"
            "            self.running_mean = ((1 - self.momentum) * self.running_mean + self.momentum * mean).detach()\n"
            "            self.running_var = ((1 - self.momentum) * self.running_var\n"
            "                                + self.momentum * var * m / (m - 1)).detach()\n"
            "        else:\n"
            "            mean, var = self.running_mean, self.running_var\n"
            "        return (x - mean) / (var + self.eps).sqrt() * self.weight + self.bias\n"),
    })],
    # 13's tests leave the random streams free (which action a seeded epsilon-greedy draws, which rows a seeded
    # replay buffer samples, with or without replacement: the text allows both) and the resize library (PIL's bilinear
    # filter is the same antialiased filter as torch's, within one grey level). Its text also lets dqn_update call the
    # learner's td_target, and Checkpoint D1 measure the learner's NatureDQN with forward hooks as section 5 does.
    "13_dqn_network": [Variant("other_streams", "epsilon-greedy drawing the action first, a deque replay sampled without "
                                                "replacement, PIL resize, luminance by a dot product, a deque frame stack", {
        "epsilon_greedy": (
            "def epsilon_greedy(q_values, epsilon, rng):\n"
            "    q = np.asarray(q_values)\n"
            "    random_action = int(rng.integers(0, q.shape[0]))\n"
            "    explore = rng.uniform() < epsilon\n"
            "    return random_action if explore else int(q.argmax())\n"),
        "ReplayBuffer": (
            "from collections import deque\n\n\n"
            "class ReplayBuffer:\n"
            "    def __init__(self, capacity, obs_shape, obs_dtype=np.float32):\n"
            "        self.memory = deque(maxlen=capacity)\n"
            "        self.dtype = obs_dtype\n\n"
            "    def add(self, obs, action, reward, next_obs, terminated):\n"
            "        self.memory.append((np.array(obs, dtype=self.dtype), int(action), float(reward),\n"
            "                            np.array(next_obs, dtype=self.dtype), float(terminated)))\n\n"
            "    def __len__(self):\n"
            "        return len(self.memory)\n\n"
            "    def sample(self, batch_size, rng):\n"
            "        rows = [self.memory[i] for i in rng.choice(len(self.memory), size=batch_size, replace=False)]\n"
            "        obs, actions, rewards, next_obs, terminated = zip(*rows)\n"
            "        return {'obs': np.stack(obs), 'actions': np.array(actions, dtype=np.int64),\n"
            "                'rewards': np.array(rewards, dtype=np.float32), 'next_obs': np.stack(next_obs),\n"
            "                'terminated': np.array(terminated, dtype=np.float32)}\n"),
        "preprocess": (
            "from PIL import Image\n\n\n"
            "def preprocess(frame, previous_frame):\n"
            "    gray = luminance(np.maximum(frame, previous_frame)).astype(np.float32)\n"
            "    small = np.asarray(Image.fromarray(gray, mode='F').resize((84, 84), Image.BILINEAR))\n"
            "    return np.clip(np.round(small), 0, 255).astype(np.uint8)\n"),
        "luminance": (
            "def luminance(rgb):\n"
            "    return np.asarray(rgb, dtype=float) @ np.array([0.2126, 0.7152, 0.0722])\n"),
        "FrameStack": (
            "from collections import deque\n\n\n"
            "class FrameStack:\n"
            "    def __init__(self, k=4):\n"
            "        self.frames = deque(maxlen=k)\n\n"
            "    def reset(self, frame):\n"
            "        for _ in range(self.frames.maxlen):\n"
            "            self.frames.append(np.copy(frame))\n"
            "        return np.array(self.frames)\n\n"
            "    def step(self, frame):\n"
            "        self.frames.append(np.copy(frame))\n"
            "        return np.array(self.frames)\n"),
    }), Variant("reuses_pieces", "dqn_update through its own td_target and F.huber_loss, Checkpoint D1 measured on its own "
                                 "NatureDQN with forward hooks, a replay sampled by a permutation, vectorised returns, "
                                 "float32 luminance, rounding half up, a ring-array frame stack", {
        "discounted_return": (
            "def discounted_return(rewards, gamma):\n"
            "    r = np.asarray(rewards, dtype=float)\n"
            "    return float(np.dot(r, gamma ** np.arange(r.size)))\n"),
        "luminance": (
            "def luminance(rgb):\n"
            "    x = np.asarray(rgb).astype(np.float32)\n"
            "    return 0.2126 * x[:, :, 0] + 0.7152 * x[:, :, 1] + 0.0722 * x[:, :, 2]\n"),
        "preprocess": (
            "def preprocess(frame, previous_frame):\n"
            "    y = torch.as_tensor(luminance(np.maximum(previous_frame, frame)), dtype=torch.float32)\n"
            "    y = F.interpolate(y.unsqueeze(0).unsqueeze(0), size=(84, 84), mode='bilinear', antialias=True,\n"
            "                      align_corners=False).squeeze(0).squeeze(0)\n"
            "    return np.clip(np.floor(y.numpy() + 0.5), 0, 255).astype(np.uint8)\n"),
        "FrameStack": (
            "class FrameStack:\n"
            "    def __init__(self, k=4):\n"
            "        self.k = k\n"
            "        self.stack = None\n\n"
            "    def reset(self, frame):\n"
            "        frame = np.asarray(frame)\n"
            "        self.stack = np.repeat(frame[None], self.k, axis=0)\n"
            "        return self.stack.copy()\n\n"
            "    def step(self, frame):\n"
            "        self.stack = np.roll(self.stack, -1, axis=0)\n"
            "        self.stack[-1] = frame\n"
            "        return self.stack.copy()\n"),
        "epsilon_greedy": (
            "def epsilon_greedy(q_values, epsilon, rng):\n"
            "    q = np.asarray(q_values)\n"
            "    explore = rng.uniform(0.0, 1.0) < epsilon\n"
            "    return int(rng.choice(q.size)) if explore else int(np.flatnonzero(q == q.max())[0])\n"),
        "td_target": (
            "def td_target(rewards, next_q_target, terminated, gamma):\n"
            "    best = torch.max(next_q_target.detach(), dim=1)[0]\n"
            "    return torch.where(terminated > 0.5, rewards, rewards + gamma * best)\n"),
        "ReplayBuffer": (
            "class ReplayBuffer:\n"
            "    def __init__(self, capacity, obs_shape, obs_dtype=np.float32):\n"
            "        self.capacity, self.count, self.next = capacity, 0, 0\n"
            "        self.data = {'obs': np.empty((capacity, *obs_shape), obs_dtype),\n"
            "                     'actions': np.empty(capacity, np.int64), 'rewards': np.empty(capacity, np.float32),\n"
            "                     'next_obs': np.empty((capacity, *obs_shape), obs_dtype),\n"
            "                     'terminated': np.empty(capacity, np.float32)}\n\n"
            "    def add(self, obs, action, reward, next_obs, terminated):\n"
            "        row = dict(obs=obs, actions=action, rewards=reward, next_obs=next_obs, terminated=terminated)\n"
            "        for key, value in row.items():\n"
            "            self.data[key][self.next] = value\n"
            "        self.next = (self.next + 1) % self.capacity\n"
            "        self.count = min(self.count + 1, self.capacity)\n\n"
            "    def __len__(self):\n"
            "        return self.count\n\n"
            "    def sample(self, batch_size, rng):\n"
            "        idx = rng.permutation(self.count)[:batch_size]\n"
            "        return {key: array[idx] for key, array in self.data.items()}\n"),
        "debug_dqn_update": (
            "def dqn_update(online, target, optimizer, batch, gamma):\n"
            "    q = online(batch['obs'])\n"
            "    q_taken = q[torch.arange(q.shape[0]), batch['actions']]\n"
            "    y = td_target(batch['rewards'], target(batch['next_obs']), batch['terminated'], gamma)\n"
            "    loss = F.huber_loss(q_taken, y, delta=1.0)\n"
            "    optimizer.zero_grad()\n"
            "    loss.backward()\n"
            "    optimizer.step()\n"
            "    return float(loss.detach())\n"),
        "checkpoint_d_layers": (
            "def checkpoint_d_layers(n_actions, in_frames=4):\n"
            "    net = NatureDQN(n_actions, in_frames)\n"
            "    measured = []\n"
            "    hooks = [m.register_forward_hook(lambda m, i, o: measured.append((m, tuple(o.shape[1:]))))\n"
            "             for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Flatten, nn.Linear))]\n"
            "    with torch.no_grad():\n"
            "        net(torch.zeros(1, in_frames, 84, 84, dtype=torch.uint8))\n"
            "    for hook in hooks:\n"
            "        hook.remove()\n"
            "    names = ['conv1', 'conv2', 'conv3', 'flatten', 'fc', 'out']\n"
            "    return {name: (shape, sum(p.numel() for p in m.parameters())) for name, (m, shape) in zip(names, measured)}\n"),
    })],
    "14_capstone": [Variant("other_draws", "epsilon-greedy drawing the explore mask first, epsilon by another formula", {
        "choose_actions": (
            "def choose_actions(q_values, epsilon, generator=None):\n"
            "    batch, n_actions = q_values.shape\n"
            "    explore = torch.rand(batch, device=q_values.device, generator=generator) < epsilon\n"
            "    random = torch.randint(0, n_actions, (batch,), device=q_values.device, generator=generator)\n"
            "    return torch.where(explore, random, q_values.argmax(dim=1))\n"),
        "epsilon_at": (
            "def epsilon_at(step, start, end, decay_steps):\n"
            "    return start + (end - start) * min(step, decay_steps) / decay_steps\n"),
    })],
    # 10's tests leave the mask stream free (any per-entry draw from rng with the right probabilities) and
    # which arrays count as weights (even positions, or the 2-D ones: the tests agree on both).
    "10_regularisation": [Variant("other_code", "masks kept where u < 1 - p and drawn with binomial, weights found by ndim, early stopping with deepcopy and a while loop", {
        "dropout_forward": (
            "def dropout_forward(A, p, rng, training):\n"
            "    if not training:\n"
            "        return np.array(A, dtype=float), np.ones(np.shape(A))\n"
            "    keep = rng.uniform(0.0, 1.0, size=np.shape(A)) < 1.0 - p\n"
            "    mask = np.where(keep, 1.0 / (1.0 - p), 0.0)\n"
            "    return np.multiply(A, mask), mask\n"),
        "dropout_backward": (
            "def dropout_backward(dout, mask):\n"
            "    return np.multiply(mask, dout)\n"),
        "l2_penalty": (
            "def l2_penalty(params, lam):\n"
            "    total = 0.0\n"
            "    for w in params:\n"
            "        if np.ndim(w) == 2:\n"
            "            total += float(np.vdot(w, w))\n"
            "    return lam * total / 2\n"),
        "l2_gradients": (
            "def l2_gradients(grads, params, lam):\n"
            "    out = []\n"
            "    for g, w in zip(grads, params):\n"
            "        out.append(g + lam * w if np.ndim(w) == 2 else g.copy())\n"
            "    return out\n"),
        "train_with_early_stopping": (
            "import copy\n\n\n"
            "def train_with_early_stopping(params, train_epoch, val_loss, patience, max_epochs):\n"
            "    history, best, best_epoch, since = [], None, 0, 0\n"
            "    epoch = 0\n"
            "    while epoch < max_epochs and (best is None or since < patience):\n"
            "        epoch += 1\n"
            "        params = train_epoch(params)\n"
            "        history.append(float(val_loss(params)))\n"
            "        if best is None or history[-1] < min(history[:-1]):\n"
            "            best, best_epoch, since = copy.deepcopy(list(params)), epoch, 0\n"
            "        else:\n"
            "            since += 1\n"
            "    return best, best_epoch, history\n"),
        "debug_dropout_mlp_forward": (
            "def dropout_mlp_forward(params, X, p, rng, training):\n"
            "    hidden, masks = X, []\n"
            "    for W, b in zip(params[0:-2:2], params[1:-2:2]):\n"
            "        hidden = np.maximum(hidden @ W + b, 0.0)\n"
            "        if training and p > 0:\n"
            "            mask = rng.binomial(1, 1.0 - p, size=hidden.shape) / (1.0 - p)\n"
            "        else:\n"
            "            mask = np.ones(hidden.shape)\n"
            "        hidden = hidden * mask\n"
            "        masks.append(mask)\n"
            "    return hidden @ params[-2] + params[-1], masks\n"),
    }), Variant("reuses_dropout_forward", "the debug exercise lets dropout_forward do the dropping, as its text allows; "
                                          "early stopping keeps the best with np.copy and counts with a for/else", {
        "debug_dropout_mlp_forward": (
            "def dropout_mlp_forward(params, X, p, rng, training):\n"
            "    A, masks = X, []\n"
            "    for k in range(0, len(params) - 2, 2):\n"
            "        A, mask = dropout_forward(np.maximum(A @ params[k] + params[k + 1], 0.0), p, rng, training)\n"
            "        masks.append(mask)\n"
            "    return A @ params[-2] + params[-1], masks\n"),
        "train_with_early_stopping": (
            "def train_with_early_stopping(params, train_epoch, val_loss, patience, max_epochs):\n"
            "    losses, best, best_epoch, waited = [], None, 0, 0\n"
            "    for epoch in range(1, max_epochs + 1):\n"
            "        params = train_epoch(params)\n"
            "        losses.append(float(np.asarray(val_loss(params))))\n"
            "        if best is None or losses[-1] < min(losses[:-1]):\n"
            "            best, best_epoch, waited = [np.copy(w) for w in params], epoch, 0\n"
            "            continue\n"
            "        waited += 1\n"
            "        if waited == patience:\n"
            "            break\n"
            "    return best, best_epoch, losses\n"),
    })],
}


# -- an assignment of the grading tests' own, where the tests leave the random stream free -----------
#: A course-local assignment (its source notebook is written into the course directory, not taken from
#: solutions/): a seeded sampler whose hidden tests check that two runs with one seed agree, so a
#: valid answer drawing its random numbers otherwise gets other values than the solution. It keeps
#: the self-consistency case graded end to end whatever the course's notebooks come to pin.
SELF_CONSISTENCY = "self_consistency"

_SAMPLER = ("def sample_batch(X, size, seed):\n"
            "    \"\"\"`size` different rows of X, chosen at random with np.random.default_rng(seed).\"\"\"\n"
            "    ### BEGIN SOLUTION\n"
            "    rng = np.random.default_rng(seed)\n"
            "    return X[rng.choice(len(X), size=size, replace=False)]\n"
            "    ### END SOLUTION\n")

_SAMPLER_TESTS = (
    "X = np.arange(20.0).reshape(10, 2)\n"
    "batch = check.call(sample_batch, X, 4, seed=0)\n"
    "check.shape(batch, (4, 2), name='sample_batch(X, 4, seed=0)')\n"
    "check.is_true(len({tuple(row) for row in batch.tolist()}) == 4, 'the batch repeats a row.', hint='draw without replacement.')\n"
    "### BEGIN HIDDEN TESTS\n"
    "_X = np.random.default_rng(3).normal(size=(50, 3))\n"
    "_first = check.call(sample_batch, _X, 8, seed=11)\n"
    "_second = check.call(sample_batch, _X, 8, seed=11)\n"
    "check.close(_second, _first, name='a second batch drawn with the same seed', hint='make the generator from the seed.')\n"
    "check.is_true(bool(np.isin(_first, _X).all()), 'the batch holds values that are not in X.')\n"
    "### END HIDDEN TESTS\n")


def self_consistency_source():
    """The source notebook (nbgrader metadata, solution and hidden-test markers) of ``SELF_CONSISTENCY``."""
    import nbformat

    meta = lambda **kw: {"nbgrader": {"schema_version": 3, **kw}}
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom course_lib import check\n",
                                  metadata=meta(grade=False, solution=False, locked=True, grade_id="setup")),
        nbformat.v4.new_code_cell(_SAMPLER, metadata=meta(grade=False, solution=True, locked=False, grade_id="sample_batch")),
        nbformat.v4.new_code_cell(_SAMPLER_TESTS, metadata=meta(grade=True, solution=False, locked=True, points=2,
                                                                grade_id="sample_batch_tests")),
    ]
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number}"
    return nb


SELF_CONSISTENCY_VARIANTS = [Variant("other_stream", "the rows picked through rng.permutation instead of rng.choice", {
    "sample_batch": (
        "def sample_batch(X, size, seed):\n"
        "    order = np.random.default_rng(seed).permutation(len(X))\n"
        "    return X[order[:size]]\n"),
})]
