"""Realistic wrong answers for notebook 05 (forward propagation).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message that contains the entry's third element (the
words that name the mistake). Wrong answers for `mlp_forward` run after
the correct `dense_forward` of Exercise 1 (the notebook has already run once).
"""

_CHECKED_DENSE_HEAD = '''def dense_forward(X, W, b):
    X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[0]:
        raise ValueError(f"shapes do not fit: X {X.shape}, W {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},), got {b.shape}")
'''

_MLP_HEAD = '''def mlp_forward(X, layers, activations):
    if len(activations) != len(layers):
        raise ValueError("one activation per layer")
'''

MISTAKES = {
    "dense_forward": [
        (
            "no shape checks at all: NumPy broadcasts a (3, 1) bias silently",
            "def dense_forward(X, W, b):\n    return X @ W + b\n",
            "b.shape == (W.shape[1],)",
        ),
        (
            "checks the matrix product but not the bias",
            "def dense_forward(X, W, b):\n"
            "    if X.shape[1] != W.shape[0]:\n"
            "        raise ValueError(f'X {X.shape} and W {W.shape} do not fit')\n"
            "    return X @ W + b\n",
            "b.shape == (W.shape[1],)",
        ),
        (
            "checks the bias by its number of entries (b.size), which a (3, 1) column also has",
            "def dense_forward(X, W, b):\n"
            "    if X.shape[1] != W.shape[0] or b.size != W.shape[1]:\n"
            "        raise ValueError('shapes do not fit')\n"
            "    return X @ W + b\n",
            "b.shape == (W.shape[1],)",
        ),
        (
            "uses assert for the shape checks (AssertionError, not ValueError)",
            "def dense_forward(X, W, b):\n"
            "    assert X.ndim == 2 and X.shape[1] == W.shape[0], 'X and W do not fit'\n"
            "    assert b.shape == (W.shape[1],), 'b has the wrong shape'\n"
            "    return X @ W + b\n",
            "an `assert` raises AssertionError",
        ),
        (
            "multiplies by W.T (PyTorch's layout)",
            _CHECKED_DENSE_HEAD.replace("X.shape[1] != W.shape[0]", "X.shape[1] != W.shape[1]")
            .replace("b.shape != (W.shape[1],)", "b.shape != (W.shape[0],)")
            + "    return X @ W.T + b\n",
            "no transpose of W",
        ),
        (
            "forgets the bias",
            _CHECKED_DENSE_HEAD + "    return X @ W\n",
            "X @ W + b",
        ),
        (
            "adds the bias as a column, one bias per example",
            "def dense_forward(X, W, b):\n    return X @ W + b.reshape(-1, 1)\n",
            "no reshape of b",
        ),
        (
            "refuses a 1-D X but lets a 3-D X through (checks X.ndim == 1 instead of X.ndim != 2)",
            _CHECKED_DENSE_HEAD.replace("X.ndim != 2 or ", "X.ndim == 1 or X.shape[-1] != W.shape[0] or ")
            .replace(" or X.shape[1] != W.shape[0]", "") + "    return X @ W + b\n",
            "not only for a 1-D X",
        ),
    ],
    "layer_shapes": [
        (
            "gives W in PyTorch's layout, (n_out, n_in)",
            "def layer_shapes(batch_size, sizes):\n"
            "    return [((batch_size, a), (c, a), (batch_size, c)) for a, c in zip(sizes[:-1], sizes[1:])]\n",
            "(n_in, n_out)",
        ),
        (
            "leaves the batch size out of the input and output shapes",
            "def layer_shapes(batch_size, sizes):\n"
            "    return [((a,), (a, c), (c,)) for a, c in zip(sizes[:-1], sizes[1:])]\n",
            "start with the batch size",
        ),
        (
            "stops one layer early (range(len(sizes) - 2))",
            "def layer_shapes(batch_size, sizes):\n"
            "    out = []\n"
            "    for i in range(len(sizes) - 2):\n"
            "        out.append(((batch_size, sizes[i]), (sizes[i], sizes[i + 1]), (batch_size, sizes[i + 1])))\n"
            "    return out\n",
            "one entry per consecutive pair",
        ),
        (
            "uses the layer's output width for its input shape",
            "def layer_shapes(batch_size, sizes):\n"
            "    return [((batch_size, c), (a, c), (batch_size, c)) for a, c in zip(sizes[:-1], sizes[1:])]\n",
            "(batch_size, n_in)",
        ),
    ],
    "mlp_forward": [
        (
            "stores the layer's output as A_prev (the cache entry is written after A moves on)",
            _MLP_HEAD
            + "    A = X\n"
            "    cache = []\n"
            "    for (W, b), f in zip(layers, activations):\n"
            "        Z = dense_forward(A, W, b)\n"
            "        A = f(Z)\n"
            "        cache.append({'A_prev': A, 'Z': Z, 'A': A})\n"
            "    return A, cache\n",
            "Store it before you move A on",
        ),
        (
            "no length check: zip silently drops a layer when an activation is missing",
            "def mlp_forward(X, layers, activations):\n"
            "    A = X\n"
            "    cache = []\n"
            "    for (W, b), f in zip(layers, activations):\n"
            "        Z = dense_forward(A, W, b)\n"
            "        A_next = f(Z)\n"
            "        cache.append({'A_prev': A, 'Z': Z, 'A': A_next})\n"
            "        A = A_next\n"
            "    return A, cache\n",
            "compare len(activations) with len(layers)",
        ),
        (
            "ignores `activations`: ReLU on the hidden layers, identity on the last",
            _MLP_HEAD
            + "    A = X\n"
            "    cache = []\n"
            "    for l, (W, b) in enumerate(layers):\n"
            "        Z = dense_forward(A, W, b)\n"
            "        A_next = np.maximum(Z, 0.0) if l < len(layers) - 1 else Z\n"
            "        cache.append({'A_prev': A, 'Z': Z, 'A': A_next})\n"
            "        A = A_next\n"
            "    return A, cache\n",
            "do not assume ReLU",
        ),
        (
            "skips the activation of the last layer",
            _MLP_HEAD
            + "    A = X\n"
            "    cache = []\n"
            "    for l, ((W, b), f) in enumerate(zip(layers, activations)):\n"
            "        Z = dense_forward(A, W, b)\n"
            "        A_next = f(Z) if l < len(layers) - 1 else Z\n"
            "        cache.append({'A_prev': A, 'Z': Z, 'A': A_next})\n"
            "        A = A_next\n"
            "    return A, cache\n",
            "last layer's activation is applied too",
        ),
        (
            "a cache that is one dict of lists instead of a list of dicts",
            _MLP_HEAD
            + "    A = X\n"
            "    cache = {'A_prev': [], 'Z': [], 'A': []}\n"
            "    for (W, b), f in zip(layers, activations):\n"
            "        Z = dense_forward(A, W, b)\n"
            "        cache['A_prev'].append(A)\n"
            "        cache['Z'].append(Z)\n"
            "        A = f(Z)\n"
            "        cache['A'].append(A)\n"
            "    return A, cache\n",
            "one dict per layer",
        ),
        (
            "returns (cache, output) in the wrong order",
            _MLP_HEAD
            + "    A = X\n"
            "    cache = []\n"
            "    for (W, b), f in zip(layers, activations):\n"
            "        Z = dense_forward(A, W, b)\n"
            "        A_next = f(Z)\n"
            "        cache.append({'A_prev': A, 'Z': Z, 'A': A_next})\n"
            "        A = A_next\n"
            "    return cache, A\n",
            "(output, cache) in that order",
        ),
        (
            "plain X @ W + b instead of dense_forward: no shape check per layer",
            _MLP_HEAD
            + "    A = X\n"
            "    cache = []\n"
            "    for (W, b), f in zip(layers, activations):\n"
            "        Z = A @ W + b\n"
            "        A_next = f(Z)\n"
            "        cache.append({'A_prev': A, 'Z': Z, 'A': A_next})\n"
            "        A = A_next\n"
            "    return A, cache\n",
            "with your dense_forward",
        ),
        (
            "applies each activation to the layer's input instead of its Z",
            _MLP_HEAD
            + "    A = X\n"
            "    cache = []\n"
            "    for (W, b), f in zip(layers, activations):\n"
            "        Z = dense_forward(f(A), W, b)\n"
            "        cache.append({'A_prev': A, 'Z': Z, 'A': Z})\n"
            "        A = Z\n"
            "    return A, cache\n",
            "before the activation",
        ),
    ],
    "debug_q_values": [
        (
            "fixes the transpose only (the bias is still a column)",
            "def q_values(states, layers):\n"
            "    A = states\n"
            "    for i, (W, b) in enumerate(layers):\n"
            "        Z = A @ W + b.reshape(-1, 1)\n"
            "        A = np.maximum(Z, 0.0) if i < len(layers) - 1 else Z\n"
            "    return A\n",
            "a reshaped b",
        ),
        (
            "fixes the bias only (still multiplies by W.T)",
            "def q_values(states, layers):\n"
            "    A = states\n"
            "    for i, (W, b) in enumerate(layers):\n"
            "        Z = A @ W.T + b\n"
            "        A = np.maximum(Z, 0.0) if i < len(layers) - 1 else Z\n"
            "    return A\n",
            "a W.T",
        ),
        (
            "both bugs fixed, but a ReLU after the output layer too (no negative Q-values)",
            "def q_values(states, layers):\n"
            "    A = states\n"
            "    for W, b in layers:\n"
            "        A = np.maximum(A @ W + b, 0.0)\n"
            "    return A\n",
            "Q-values can be negative",
        ),
        (
            "both bugs fixed, but the ReLU dropped as well (a linear network)",
            "def q_values(states, layers):\n"
            "    A = states\n"
            "    for W, b in layers:\n"
            "        A = A @ W + b\n"
            "    return A\n",
            "ReLU after the hidden layer only",
        ),
    ],
}
