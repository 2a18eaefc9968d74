"""Realistic wrong answers for notebook 09 (the training loop, Checkpoint C).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message.
"""

_MB_HEAD = "def minibatches(n, batch_size, rng):\n"

_FIT_HEAD = "def fit(params, loss_and_grads, predict, loss_fn, step, train, val, epochs, batch_size, rng, on_epoch=None):\n"

_FIT_EVAL = '''        for name, (inputs, labels) in (("train", (X, y)), ("val", (X_val, y_val))):
            outputs = predict(params, inputs)
            history[name + "_loss"].append(float(loss_fn(outputs, labels)))
            history[name + "_acc"].append(float(accuracy(outputs, labels)))
'''

_FIT_STD = '''    X, y = train
    X_val, y_val = val
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    state = None
'''

_C1_HEAD = '''def checkpoint_c_gradients(X, y, layers):
    (W1, b1), (W2, b2) = layers
    m = len(y)
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0.0)
    logits = H @ W2 + b2
'''

_C1_STABLE = '''    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-np.mean(log_probs[np.arange(m), y]))
    delta2 = np.exp(log_probs)
    delta2[np.arange(m), y] -= 1.0
'''

_C2_LOOP = '''    for epoch in range(epochs):
        for idx in minibatches(len(X), batch_size, rng):
            _, grads = checkpoint_c_gradients(X[idx], y[idx], layers)
            layers = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(layers, grads)]
    return layers
'''

_LOOP_HEAD = '''def train_loop(params, loss_and_grads, predict, loss_fn, step, train, val, epochs, batch_size, seed):
    X, y = train
    X_val, y_val = val
    rng = np.random.default_rng(seed)
    history = {"train_loss": [], "val_loss": []}
    state = None
'''

MISTAKES = {
    "minibatches": [
        (
            "does not shuffle: the batches come in the order 0, 1, 2, ...",
            _MB_HEAD + "    order = np.arange(n)\n"
            "    for start in range(0, n, batch_size):\n        yield order[start:start + batch_size]\n",
            'rng.permutation(n)',
        ),
        (
            "drops the last, smaller batch",
            _MB_HEAD + "    order = rng.permutation(n)\n"
            "    for start in range(0, n - batch_size + 1, batch_size):\n        yield order[start:start + batch_size]\n",
            'keep the last, smaller batch',
        ),
        (
            "shuffles with NumPy's global generator instead of rng",
            _MB_HEAD + "    order = np.random.permutation(n)\n"
            "    for start in range(0, n, batch_size):\n        yield order[start:start + batch_size]\n",
            'not from np.random.permutation',
        ),
        (
            "makes its own generator with a fixed seed",
            _MB_HEAD + "    order = np.random.default_rng(0).permutation(n)\n"
            "    for start in range(0, n, batch_size):\n        yield order[start:start + batch_size]\n",
            'not from a generator with a fixed seed of your own',
        ),
        (
            "draws every batch separately, so some examples repeat and others are skipped",
            _MB_HEAD + "    for start in range(0, n, batch_size):\n"
            "        yield rng.integers(0, n, size=min(batch_size, n - start))\n",
            'drawing each batch separately',
        ),
        (
            "stops one index early (range(0, n - 1, batch_size))",
            _MB_HEAD + "    order = rng.permutation(n)\n"
            "    for start in range(0, n - 1, batch_size):\n        yield order[start:start + batch_size]\n",
            'range(0, n, batch_size)',
        ),
        (
            "shuffles only inside fixed chunks: batch k always holds the indices k*b to (k+1)*b - 1",
            _MB_HEAD + "    for start in range(0, n, batch_size):\n"
            "        yield rng.permutation(np.arange(start, min(start + batch_size, n)))\n",
            "only shuffled inside fixed chunks",
        ),
        (
            "shuffles a copy of the generator, so every epoch gets the same order",
            _MB_HEAD + "    import copy\n    order = copy.deepcopy(rng).permutation(n)\n"
            "    for start in range(0, n, batch_size):\n        yield order[start:start + batch_size]\n",
            "every call must draw a new order",
        ),
    ],
    "accuracy": [
        (
            "takes the argmax down the columns (axis=0)",
            "def accuracy(outputs, labels):\n    return float(np.mean(np.argmax(outputs, axis=0) == labels))\n",
            'axis=0 would give one per column',
        ),
        (
            "returns the number of correct rows, not the fraction",
            "def accuracy(outputs, labels):\n    return int(np.sum(np.argmax(outputs, axis=1) == labels))\n",
            'not a count',
        ),
        (
            "returns a percentage",
            "def accuracy(outputs, labels):\n    return 100.0 * np.mean(np.argmax(outputs, axis=1) == labels)\n",
            'not a count or a percentage',
        ),
        (
            "compares the largest value, not its column, with the label",
            "def accuracy(outputs, labels):\n    return float(np.mean(np.max(outputs, axis=1) == labels))\n",
            'the column of its largest entry',
        ),
        (
            "integer division rounds the fraction down to 0",
            "def accuracy(outputs, labels):\n"
            "    return np.sum(np.argmax(outputs, axis=1) == labels) // len(labels)\n",
            'a number between 0 and 1',
        ),
    ],
    "fit": [
        (
            "computes the validation numbers on the training set",
            _FIT_HEAD + '''    X, y = train
    X_val, y_val = val
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    state = None
    for epoch in range(1, epochs + 1):
        for idx in minibatches(len(X), batch_size, rng):
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
        for name in ("train", "val"):
            outputs = predict(params, X)
            history[name + "_loss"].append(float(loss_fn(outputs, y)))
            history[name + "_acc"].append(float(accuracy(outputs, y)))
        if on_epoch is not None:
            on_epoch(epoch, params, history)
    return params, history
''',
            'the validation set, not the training set',
        ),
        (
            "draws the batches once and reuses them in every epoch",
            _FIT_HEAD + '''    X, y = train
    X_val, y_val = val
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    state = None
    batches = list(minibatches(len(X), batch_size, rng))
    for epoch in range(1, epochs + 1):
        for idx in batches:
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
''' + _FIT_EVAL + '''        if on_epoch is not None:
            on_epoch(epoch, params, history)
    return params, history
''',
            'every epoch gets a new order',
        ),
        (
            "starts the optimiser state again at every epoch",
            _FIT_HEAD + '''    X, y = train
    X_val, y_val = val
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    for epoch in range(1, epochs + 1):
        state = None
        for idx in minibatches(len(X), batch_size, rng):
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
''' + _FIT_EVAL + '''        if on_epoch is not None:
            on_epoch(epoch, params, history)
    return params, history
''',
            'state = None once',
        ),
        (
            "records the mean of the batch losses during the epoch as the training loss",
            _FIT_HEAD + '''    X, y = train
    X_val, y_val = val
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    state = None
    for epoch in range(1, epochs + 1):
        losses = []
        for idx in minibatches(len(X), batch_size, rng):
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            losses.append(loss)
            params, state = step(params, grads, state)
        history["train_loss"].append(float(np.mean(losses)))
        history["train_acc"].append(float(accuracy(predict(params, X), y)))
        outputs = predict(params, X_val)
        history["val_loss"].append(float(loss_fn(outputs, y_val)))
        history["val_acc"].append(float(accuracy(outputs, y_val)))
        if on_epoch is not None:
            on_epoch(epoch, params, history)
    return params, history
''',
            'on the whole training set with the new params',
        ),
        (
            "counts the epochs for on_epoch from 0",
            _FIT_HEAD + '''    X, y = train
    X_val, y_val = val
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    state = None
    for epoch in range(epochs):
        for idx in minibatches(len(X), batch_size, rng):
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
''' + _FIT_EVAL + '''        if on_epoch is not None:
            on_epoch(epoch, params, history)
    return params, history
''',
            'epochs counted from 1',
        ),
        (
            "returns only the history",
            _FIT_HEAD + '''    X, y = train
    X_val, y_val = val
    history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    state = None
    for epoch in range(1, epochs + 1):
        for idx in minibatches(len(X), batch_size, rng):
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
''' + _FIT_EVAL + '''        if on_epoch is not None:
            on_epoch(epoch, params, history)
    return history
''',
            'return params, history',
        ),
        (
            "shuffles with a generator of its own, seeded once with 0, instead of rng",
            _FIT_HEAD + _FIT_STD + '''    own = np.random.default_rng(0)
    for epoch in range(1, epochs + 1):
        for idx in minibatches(len(X), batch_size, own):
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
''' + _FIT_EVAL + '''        if on_epoch is not None:
            on_epoch(epoch, params, history)
    return params, history
''',
            "not a generator with a fixed seed of your own",
        ),
        (
            "works on a copy of the generator, so every call repeats the same shuffles",
            _FIT_HEAD + "    import copy\n    rng = copy.deepcopy(rng)\n" + _FIT_STD + '''    for epoch in range(1, epochs + 1):
        for idx in minibatches(len(X), batch_size, rng):
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
''' + _FIT_EVAL + '''        if on_epoch is not None:
            on_epoch(epoch, params, history)
    return params, history
''',
            "not a copy of it",
        ),
        (
            "ignores loss_fn and computes the cross-entropy itself",
            _FIT_HEAD + _FIT_STD + '''    def ce(outputs, labels):
        top = outputs.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(outputs - top).sum(axis=1)) + top[:, 0] - outputs[np.arange(len(labels)), labels]))
    for epoch in range(1, epochs + 1):
        for idx in minibatches(len(X), batch_size, rng):
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
        for name, (inputs, labels) in (("train", (X, y)), ("val", (X_val, y_val))):
            outputs = predict(params, inputs)
            history[name + "_loss"].append(ce(outputs, labels))
            history[name + "_acc"].append(float(accuracy(outputs, labels)))
        if on_epoch is not None:
            on_epoch(epoch, params, history)
    return params, history
''',
            "the loss_fn you are given",
        ),
    ],
    "checkpoint_c_gradients": [
        (
            "forgets to divide delta2 by the batch size",
            _C1_HEAD + _C1_STABLE + '''    delta1 = (delta2 @ W2.T) * (Z1 > 0)
    return loss, [(X.T @ delta1, delta1.sum(axis=0)), (H.T @ delta2, delta2.sum(axis=0))]
''',
            'same factor',
        ),
        (
            "leaves out the ReLU's derivative in the backward pass",
            _C1_HEAD + _C1_STABLE + '''    delta2 /= m
    delta1 = delta2 @ W2.T
    return loss, [(X.T @ delta1, delta1.sum(axis=0)), (H.T @ delta2, delta2.sum(axis=0))]
''',
            'only where its input was positive',
        ),
        (
            "uses Z1 (before the ReLU) instead of H for dW2",
            _C1_HEAD + _C1_STABLE + '''    delta2 /= m
    delta1 = (delta2 @ W2.T) * (Z1 > 0)
    return loss, [(X.T @ delta1, delta1.sum(axis=0)), (Z1.T @ delta2, delta2.sum(axis=0))]
''',
            'H after the ReLU, not Z1',
        ),
        (
            "softmax without subtracting the largest logit (overflows)",
            _C1_HEAD + '''    e = np.exp(logits)
    probs = e / e.sum(axis=1, keepdims=True)
    loss = float(-np.mean(np.log(probs[np.arange(m), y])))
    delta2 = probs.copy()
    delta2[np.arange(m), y] -= 1.0
    delta2 /= m
    delta1 = (delta2 @ W2.T) * (Z1 > 0)
    return loss, [(X.T @ delta1, delta1.sum(axis=0)), (H.T @ delta2, delta2.sum(axis=0))]
''',
            "subtract each row's own largest logit",
        ),
        (
            "sums the loss over the batch instead of averaging it",
            _C1_HEAD + _C1_STABLE + '''    loss = loss * m
    delta2 /= m
    delta1 = (delta2 @ W2.T) * (Z1 > 0)
    return loss, [(X.T @ delta1, delta1.sum(axis=0)), (H.T @ delta2, delta2.sum(axis=0))]
''',
            'the mean over the rows',
        ),
        (
            "sums the bias gradients over the wrong axis",
            _C1_HEAD + _C1_STABLE + '''    delta2 /= m
    delta1 = (delta2 @ W2.T) * (Z1 > 0)
    return loss, [(X.T @ delta1, delta1.sum(axis=1)), (H.T @ delta2, delta2.sum(axis=1))]
''',
            'sum delta over the rows (axis=0)',
        ),
        (
            "returns the gradients as a flat list [dW1, db1, dW2, db2]",
            _C1_HEAD + _C1_STABLE + '''    delta2 /= m
    delta1 = (delta2 @ W2.T) * (Z1 > 0)
    return loss, [X.T @ delta1, delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0)]
''',
            'one (dW, db) pair per layer',
        ),
        (
            "subtracts the largest logit of the whole batch instead of each row's",
            _C1_HEAD + '''    shifted = logits - logits.max()
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-np.mean(log_probs[np.arange(m), y]))
    delta2 = np.exp(log_probs)
    delta2[np.arange(m), y] -= 1.0
    delta2 /= m
    delta1 = (delta2 @ W2.T) * (Z1 > 0)
    return loss, [(X.T @ delta1, delta1.sum(axis=0)), (H.T @ delta2, delta2.sum(axis=0))]
''',
            "not the largest logit of the whole batch",
        ),
    ],
    "checkpoint_c_train": [
        (
            "initialises with NumPy's global generator, so the seed does not fix the run",
            '''def checkpoint_c_train(X, y, n_classes, seed):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, lr, epochs, batch_size = X.shape[1], 32, 0.2, 50, 32
    layers = [(np.random.normal(scale=np.sqrt(2.0 / n_in), size=(n_in, n_hidden)), np.zeros(n_hidden)),
              (np.random.normal(scale=np.sqrt(1.0 / n_hidden), size=(n_hidden, n_classes)), np.zeros(n_classes))]
''' + _C2_LOOP,
            'draw everything from it',
        ),
        (
            "starts every weight at zero",
            '''def checkpoint_c_train(X, y, n_classes, seed):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, lr, epochs, batch_size = X.shape[1], 32, 0.2, 50, 32
    layers = [(np.zeros((n_in, n_hidden)), np.zeros(n_hidden)), (np.zeros((n_hidden, n_classes)), np.zeros(n_classes))]
''' + _C2_LOOP,
            'W1 does not start at zero',
        ),
        (
            "trains far too little (2 epochs at a learning rate of 0.01)",
            '''def checkpoint_c_train(X, y, n_classes, seed):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, lr, epochs, batch_size = X.shape[1], 32, 0.01, 2, 32
    layers = [(rng.normal(scale=np.sqrt(2.0 / n_in), size=(n_in, n_hidden)), np.zeros(n_hidden)),
              (rng.normal(scale=np.sqrt(1.0 / n_hidden), size=(n_hidden, n_classes)), np.zeros(n_classes))]
''' + _C2_LOOP,
            'train longer',
        ),
        (
            "hard-codes 2 inputs and 3 classes",
            '''def checkpoint_c_train(X, y, n_classes, seed):
    rng = np.random.default_rng(seed)
    n_hidden, lr, epochs, batch_size = 32, 0.2, 50, 32
    layers = [(rng.normal(scale=np.sqrt(2.0 / 2), size=(2, n_hidden)), np.zeros(n_hidden)),
              (rng.normal(scale=np.sqrt(1.0 / n_hidden), size=(n_hidden, 3)), np.zeros(3))]
''' + _C2_LOOP,
            'read n_in from X.shape[1] and K from n_classes',
        ),
        (
            "adds the gradient (climbs the loss)",
            '''def checkpoint_c_train(X, y, n_classes, seed):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, lr, epochs, batch_size = X.shape[1], 32, 0.2, 50, 32
    layers = [(rng.normal(scale=np.sqrt(2.0 / n_in), size=(n_in, n_hidden)), np.zeros(n_hidden)),
              (rng.normal(scale=np.sqrt(1.0 / n_hidden), size=(n_hidden, n_classes)), np.zeros(n_classes))]
    for epoch in range(epochs):
        for idx in minibatches(len(X), batch_size, rng):
            _, grads = checkpoint_c_gradients(X[idx], y[idx], layers)
            layers = [(W + lr * dW, b + lr * db) for (W, b), (dW, db) in zip(layers, grads)]
    return layers
''',
            'subtract lr * gradient',
        ),
    ],
    "debug_train_loop": [
        (
            "the broken loop, unchanged",
            '''def train_loop(params, loss_and_grads, predict, loss_fn, step, train, val, epochs, batch_size, seed):
    X, y = train
    X_val, y_val = val
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    history = {"train_loss": [], "val_loss": []}
    state = None
    total, count = 0.0, 0
    for epoch in range(epochs):
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
            total += loss * len(idx)
            count += len(idx)
        history["train_loss"].append(total / count)
        history["val_loss"].append(loss_fn(predict(params, X), y))
    return params, history
''',
            "THAT epoch's batch losses only",
        ),
        (
            "fixes the accumulators and the validation set, but still shuffles once",
            _LOOP_HEAD + '''    order = rng.permutation(len(X))
    for epoch in range(epochs):
        total, count = 0.0, 0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
            total += loss * len(idx)
            count += len(idx)
        history["train_loss"].append(float(total / count))
        history["val_loss"].append(float(loss_fn(predict(params, X_val), y_val)))
    return params, history
''',
            'when is the order drawn',
        ),
        (
            "fixes the shuffle and the validation set, but never resets the accumulators",
            _LOOP_HEAD + '''    total, count = 0.0, 0
    for epoch in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
            total += loss * len(idx)
            count += len(idx)
        history["train_loss"].append(float(total / count))
        history["val_loss"].append(float(loss_fn(predict(params, X_val), y_val)))
    return params, history
''',
            "THAT epoch's batch losses only",
        ),
        (
            "fixes the shuffle and the accumulators, but still validates on the training set",
            _LOOP_HEAD + '''    for epoch in range(epochs):
        order = rng.permutation(len(X))
        total, count = 0.0, 0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
            total += loss * len(idx)
            count += len(idx)
        history["train_loss"].append(float(total / count))
        history["val_loss"].append(float(loss_fn(predict(params, X), y)))
    return params, history
''',
            'which data does the validation loss look at',
        ),
        (
            "averages the batch losses without weighting them by batch size",
            _LOOP_HEAD + '''    for epoch in range(epochs):
        losses = []
        for idx in minibatches(len(X), batch_size, rng):
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
            losses.append(loss)
        history["train_loss"].append(float(np.mean(losses)))
        history["val_loss"].append(float(loss_fn(predict(params, X_val), y_val)))
    return params, history
''',
            "Weight every batch's loss by its size",
        ),
        (
            "fixes the three bugs but ignores the seed (always default_rng(0))",
            _LOOP_HEAD.replace("default_rng(seed)", "default_rng(0)") + '''    for epoch in range(epochs):
        order = rng.permutation(len(X))
        total, count = 0.0, 0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
            total += loss * len(idx)
            count += len(idx)
        history["train_loss"].append(float(total / count))
        history["val_loss"].append(float(loss_fn(predict(params, X_val), y_val)))
    return params, history
''',
            "not from a fixed number",
        ),
        (
            "fixes the three bugs but steps with its own SGD (lr 0.5) instead of the step it is given",
            _LOOP_HEAD + '''    for epoch in range(epochs):
        order = rng.permutation(len(X))
        total, count = 0.0, 0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params = [p - 0.5 * g for p, g in zip(params, grads)]
            total += loss * len(idx)
            count += len(idx)
        history["train_loss"].append(float(total / count))
        history["val_loss"].append(float(loss_fn(predict(params, X_val), y_val)))
    return params, history
''',
            "the step function you are given",
        ),
        (
            "fixes the three bugs but measures the validation loss with a cross-entropy of its own instead of loss_fn",
            _LOOP_HEAD + '''    def ce(outputs, labels):
        top = outputs.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(outputs - top).sum(axis=1)) + top[:, 0] - outputs[np.arange(len(labels)), labels]))
    for epoch in range(epochs):
        order = rng.permutation(len(X))
        total, count = 0.0, 0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            params, state = step(params, grads, state)
            total += loss * len(idx)
            count += len(idx)
        history["train_loss"].append(float(total / count))
        history["val_loss"].append(ce(predict(params, X_val), y_val))
    return params, history
''',
            "the predict and loss_fn you are given",
        ),
    ],
}
