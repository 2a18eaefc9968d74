"""Realistic wrong answers for notebook 02 (the perceptron); each must lose its exercise's points."""

_TRAIN = (
    "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
    "    rng = np.random.default_rng(seed)\n"
    "    w, b = np.zeros(X.shape[1]), 0.0\n"
    "    errors_per_epoch = []\n"
    "    for _ in range(epochs):\n"
    "        mistakes = 0\n"
    "        for i in rng.permutation(len(y)):\n"
    "            if perceptron_predict(X[i:i + 1], w, b)[0] != y[i]:\n"
    "                mistakes += 1\n"
    "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
    "        errors_per_epoch.append(mistakes)\n"
    "        if mistakes == 0:\n"
    "            break\n"
    "    return w, b, errors_per_epoch\n"
)

MISTAKES = {
    "perceptron_predict": [
        (
            "uses > 0, so a score of exactly 0 gets class 0",
            "def perceptron_predict(X, w, b):\n"
            "    return (X @ w + b > 0).astype(int)\n", "not > 0",
        ),
        (
            "returns booleans instead of 0/1 integers",
            "def perceptron_predict(X, w, b):\n"
            "    return X @ w + b >= 0\n", ".astype(int)",
        ),
        (
            "forgets the bias",
            "def perceptron_predict(X, w, b):\n"
            "    return (X @ w >= 0).astype(int)\n", "Is the bias added?",
        ),
        (
            "returns the scores instead of the labels",
            "def perceptron_predict(X, w, b):\n"
            "    return X @ w + b\n", "do not return the scores",
        ),
        (
            "returns a column (m, 1) instead of a flat array",
            "def perceptron_predict(X, w, b):\n"
            "    return (X @ w.reshape(-1, 1) + b >= 0).astype(int)\n", "1-D array of length m",
        ),
        (
            "np.sign of the score: -1 for class 0, and floats",
            "def perceptron_predict(X, w, b):\n"
            "    return np.sign(X @ w + b)\n", "0/1 integers",
        ),
        (
            "w @ X: the factors in the wrong order",
            "def perceptron_predict(X, w, b):\n"
            "    return (w @ X + b >= 0).astype(int)\n", "order of the factors",
        ),
        (
            "np.heaviside, which returns floats",
            "def perceptron_predict(X, w, b):\n"
            "    return np.heaviside(X @ w + b, 1)\n", "0/1 integers",
        ),
        (
            "a list comprehension over the rows instead of one matrix-vector product",
            "def perceptron_predict(X, w, b):\n"
            "    return np.array([1 if x @ w + b >= 0 else 0 for x in X])\n", "Python loop",
        ),
        (
            "a for loop that fills in one label at a time",
            "def perceptron_predict(X, w, b):\n"
            "    labels = np.zeros(len(X), dtype=int)\n"
            "    for i in range(len(X)):\n"
            "        labels[i] = int(X[i] @ w + b >= 0)\n"
            "    return labels\n", "Python loop",
        ),
    ],
    "perceptron_update": [
        (
            "a perceptron update with the wrong sign (error = y_hat - y)",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    error = y_hat - y\n"
            "    return w + lr * error * x, b + lr * error\n", "not y_hat - y",
        ),
        (
            "changes w in place with +=",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    w += lr * (y - y_hat) * x\n"
            "    b = b + lr * (y - y_hat)\n"
            "    return w, b\n", "in place",
        ),
        (
            "never updates the bias",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    return w + lr * (y - y_hat) * x, b\n", "bias learns like a weight",
        ),
        (
            "updates on every example by lr*y*x, even when it is already correct",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    return w + lr * y * x, b + lr * y\n", "learns only from its mistakes",
        ),
        (
            "predicts with > 0, so the rule disagrees with perceptron_predict on the line",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b > 0 else 0\n"
            "    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)\n", "score of 0 predicts class 1",
        ),
        (
            "returns only the new weights",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    return w + lr * (y - y_hat) * x\n", "expected a pair (w, b)",
        ),
        (
            "forgets the learning rate",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    return w + (y - y_hat) * x, b + (y - y_hat)\n", "lr was left out",
        ),
        (
            "multiplies the bias update by x as well",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = 1 if x @ w + b >= 0 else 0\n"
            "    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat) * x\n", "no x in it",
        ),
        (
            "predicts on a batch of one and keeps the (1,) array as y_hat",
            "def perceptron_update(x, y, w, b, lr):\n"
            "    y_hat = perceptron_predict(x[None, :], w, b)\n"
            "    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)\n", "take its single label with [0]",
        ),
    ],
    "train_perceptron": [
        (
            "never stops early: runs every epoch even after one with no mistakes",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    errors_per_epoch = []\n"
            "    for _ in range(epochs):\n"
            "        mistakes = 0\n"
            "        for i in rng.permutation(len(y)):\n"
            "            if int(X[i] @ w + b >= 0) != y[i]:\n"
            "                mistakes += 1\n"
            "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "        errors_per_epoch.append(mistakes)\n"
            "    return w, b, errors_per_epoch\n", "right after the first epoch with no mistakes",
        ),
        (
            "never resets the mistake count, so the list is cumulative and training never stops",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    errors_per_epoch = []\n"
            "    mistakes = 0\n"
            "    for _ in range(epochs):\n"
            "        for i in rng.permutation(len(y)):\n"
            "            if int(X[i] @ w + b >= 0) != y[i]:\n"
            "                mistakes += 1\n"
            "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "        errors_per_epoch.append(mistakes)\n"
            "        if mistakes == 0:\n"
            "            break\n"
            "    return w, b, errors_per_epoch\n", "set the count back to 0",
        ),
        (
            "keeps only the new w from each update, so the bias stays 0",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    errors_per_epoch = []\n"
            "    for _ in range(epochs):\n"
            "        mistakes = 0\n"
            "        for i in rng.permutation(len(y)):\n"
            "            if int(X[i] @ w + b >= 0) != y[i]:\n"
            "                mistakes += 1\n"
            "            w = perceptron_update(X[i], y[i], w, b, lr)[0]\n"
            "        errors_per_epoch.append(mistakes)\n"
            "        if mistakes == 0:\n"
            "            break\n"
            "    return w, b, errors_per_epoch\n", "keep both the new w and the new b",
        ),
        (
            "counts mistakes after the update, with the weights the example did not see",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    errors_per_epoch = []\n"
            "    for _ in range(epochs):\n"
            "        mistakes = 0\n"
            "        for i in rng.permutation(len(y)):\n"
            "            w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "            if int(X[i] @ w + b >= 0) != y[i]:\n"
            "                mistakes += 1\n"
            "        errors_per_epoch.append(mistakes)\n"
            "        if mistakes == 0:\n"
            "            break\n"
            "    return w, b, errors_per_epoch\n", "weights after each update",
        ),
        (
            "does a single epoch whatever `epochs` says",
            "def train_perceptron(X, y, lr=1.0, epochs=100, seed=0):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    w, b = np.zeros(X.shape[1]), 0.0\n"
            "    mistakes = 0\n"
            "    for i in rng.permutation(len(y)):\n"
            "        if int(X[i] @ w + b >= 0) != y[i]:\n"
            "            mistakes += 1\n"
            "        w, b = perceptron_update(X[i], y[i], w, b, lr)\n"
            "    return w, b, [mistakes]\n", "keep going until an epoch has no mistakes",
        ),
        (
            "never shuffles: visits the examples in their stored order",
            _TRAIN.replace("rng.permutation(len(y))", "range(len(y))"), "does not depend on the seed",
        ),
        (
            "shuffles with np.random's global generator instead of the seeded one",
            _TRAIN.replace("rng.permutation(len(y))", "np.random.permutation(len(y))"), "np.random.default_rng(seed)",
        ),
        (
            "makes a new generator from the seed in every epoch, so every epoch visits the examples in one order",
            _TRAIN.replace("        for i in rng.permutation(len(y)):\n",
                           "        for i in np.random.default_rng(seed).permutation(len(y)):\n"), "same order in every epoch",
        ),
        (
            "draws one permutation before the epoch loop and reuses it in every epoch",
            _TRAIN.replace("    for _ in range(epochs):\n", "    order = rng.permutation(len(y))\n    for _ in range(epochs):\n")
                  .replace("        for i in rng.permutation(len(y)):\n", "        for i in order:\n"), "same order in every epoch",
        ),
        (
            "draws the order with rng.integers (with replacement), so an epoch can skip examples",
            _TRAIN.replace("rng.permutation(len(y))", "rng.integers(0, len(y), size=len(y))"), "did not visit every example",
        ),
        (
            "ignores lr: passes 1.0 to perceptron_update",
            _TRAIN.replace("perceptron_update(X[i], y[i], w, b, lr)", "perceptron_update(X[i], y[i], w, b, 1.0)"), "pass your lr on",
        ),
        (
            "counts the examples the weights get wrong after the epoch, not the mistakes made during it",
            _TRAIN.replace("            if perceptron_predict(X[i:i + 1], w, b)[0] != y[i]:\n"
                           "                mistakes += 1\n", "")
                  .replace("        errors_per_epoch.append(mistakes)\n",
                           "        mistakes = int(np.sum(perceptron_predict(X, w, b) != y))\n"
                           "        errors_per_epoch.append(mistakes)\n"), "weights after the epoch",
        ),
        (
            "starts from random weights instead of zeros",
            _TRAIN.replace("w, b = np.zeros(X.shape[1]), 0.0", "w, b = rng.normal(size=X.shape[1]), 0.0"), "start from w = 0",
        ),
        (
            "returns the three results in another order",
            _TRAIN.replace("return w, b, errors_per_epoch", "return errors_per_epoch, w, b"), "(w, b, errors_per_epoch)",
        ),
    ],
    "adaline_step": [
        (
            "learns from the thresholded 0/1 prediction instead of the linear output",
            "def adaline_step(X, y, w, b, lr):\n"
            "    y_hat = (X @ w + b >= 0.5).astype(float)\n"
            "    error = y - y_hat\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b + lr * (2 / m) * error.sum()\n", "linear output",
        ),
        (
            "uses the perceptron's prediction (threshold at 0) as the output",
            "def adaline_step(X, y, w, b, lr):\n"
            "    y_hat = (X @ w + b >= 0).astype(float)\n"
            "    error = y - y_hat\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b + lr * (2 / m) * error.sum()\n", "no threshold",
        ),
        (
            "steps up the gradient (wrong sign)",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w - lr * (2 / m) * X.T @ error, b - lr * (2 / m) * error.sum()\n", "wrong sign",
        ),
        (
            "drops the factor 2 from the derivative of the square",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w + lr * (1 / m) * X.T @ error, b + lr * (1 / m) * error.sum()\n", "factor of about 0.5",
        ),
        (
            "sums over the examples instead of averaging",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    return w + lr * 2 * X.T @ error, b + lr * 2 * error.sum()\n", "a mean instead of a sum",
        ),
        (
            "changes w in place with +=",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    w += lr * (2 / m) * X.T @ error\n"
            "    return w, b + lr * (2 / m) * error.sum()\n", "in place",
        ),
        (
            "never updates the bias",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b\n", "the bias is a weight",
        ),
        (
            "X @ (y - z) instead of X.T @ (y - z)",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X @ error, b + lr * (2 / m) * error.sum()\n", "`.T`",
        ),
        (
            "the error as z - y with the plus sign of the rule",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = (X @ w + b) - y\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b + lr * (2 / m) * error.sum()\n", "wrong sign",
        ),
        (
            "collects the errors in np.zeros_like(y), an integer array for integer targets, which truncates them",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = np.zeros_like(y)\n"
            "    error[:] = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b + lr * (2 / m) * error.sum()\n", "cuts the fractions off",
        ),
        (
            "drops the factor 2 in the bias update only",
            "def adaline_step(X, y, w, b, lr):\n"
            "    error = y - (X @ w + b)\n"
            "    m = len(y)\n"
            "    return w + lr * (2 / m) * X.T @ error, b + lr * np.mean(error)\n", "(2/m)",
        ),
    ],
    "debug_signed_update": [
        (
            "fixes only the sign; the bias is still never updated",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) <= 0:\n"
            "        w = w + lr * t * x\n"
            "    return w, b\n", "bias must learn too",
        ),
        (
            "adds the bias update but keeps the wrong sign",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) <= 0:\n"
            "        w = w - lr * t * x\n"
            "        b = b - lr * t\n"
            "    return w, b\n", "check its sign",
        ),
        (
            "tests for a mistake with < 0, so weights that start at zero never move",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) < 0:\n"
            "        w = w + lr * t * x\n"
            "        b = b + lr * t\n"
            "    return w, b\n", "<= 0, not < 0",
        ),
        (
            "updates on every example, mistake or not",
            "def signed_update(x, t, w, b, lr):\n"
            "    return w + lr * t * x, b + lr * t\n", "w must stay as it is",
        ),
        (
            "fixes both bugs but updates w in place with +=",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) <= 0:\n"
            "        w += lr * t * x\n"
            "        b = b + lr * t\n"
            "    return w, b\n", "in place",
        ),
        (
            "drops the brackets: t * x @ w + b tests the wrong quantity",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * x @ w + b <= 0:\n"
            "        w = w + lr * t * x\n"
            "        b = b + lr * t\n"
            "    return w, b\n", "with the brackets",
        ),
        (
            "updates the bias by lr whatever the label",
            "def signed_update(x, t, w, b, lr):\n"
            "    if t * (x @ w + b) <= 0:\n"
            "        w = w + lr * t * x\n"
            "        b = b + lr\n"
            "    return w, b\n", "direction of the label",
        ),
    ],
}
