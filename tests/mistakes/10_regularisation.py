"""Realistic wrong answers for notebook 10 (regularisation: dropout, L2 weight decay, early stopping).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message. The optional third element is a word the
message must contain (the diagnosis that names the mistake).
"""

_DF_HEAD = "def dropout_forward(A, p, rng, training):\n    A = np.asarray(A, dtype=float)\n"
_DF_EVAL = "    if not training:\n        return A, np.ones_like(A)\n"

_ES_HEAD = '''def train_with_early_stopping(params, train_epoch, val_loss, patience, max_epochs):
    best_loss, best_params, best_epoch = np.inf, None, 0
    val_losses, waited = [], 0
    for epoch in range(1, max_epochs + 1):
        params = train_epoch(params)
        loss = float(val_loss(params))
        val_losses.append(loss)
'''

_DBG_HEAD = '''def dropout_mlp_forward(params, X, p, rng, training):
    n_layers = len(params) // 2
    A, masks = X, []
    for l in range(n_layers - 1):
        A = np.maximum(A @ params[2 * l] + params[2 * l + 1], 0.0)
'''
_DBG_TAIL = '''        A = A * mask
        masks.append(mask)
    return A @ params[-2] + params[-1], masks
'''

MISTAKES = {
    "dropout_forward": [
        ("forgets to rescale: the mask is 0 or 1, not 0 or 1/(1-p)",
         _DF_HEAD + _DF_EVAL + "    mask = (rng.random(A.shape) >= p).astype(float)\n    return A * mask, mask\n",
         "1 / (1 - p)"),
        ("keeps each entry with probability p instead of 1 - p",
         _DF_HEAD + _DF_EVAL + "    mask = (rng.random(A.shape) < p) / (1.0 - p)\n    return A * mask, mask\n",
         "probability"),
        ("stays active in evaluation mode (ignores training)",
         _DF_HEAD + "    mask = (rng.random(A.shape) >= p) / (1.0 - p)\n    return A * mask, mask\n",
         "evaluation"),
        ("scales by 1 - p in evaluation mode (the old, non-inverted convention on top of inverted dropout)",
         _DF_HEAD + "    if not training:\n        return A * (1.0 - p), np.ones_like(A)\n"
         "    mask = (rng.random(A.shape) >= p) / (1.0 - p)\n    return A * mask, mask\n",
         "identity"),
        ("multiplies the kept entries by 1 - p instead of dividing",
         _DF_HEAD + _DF_EVAL + "    mask = (rng.random(A.shape) >= p) * (1.0 - p)\n    return A * mask, mask\n",
         "do not multiply"),
        ("one draw per unit (column), shared by every row",
         _DF_HEAD + _DF_EVAL + "    mask = np.broadcast_to((rng.random(A.shape[-1]) >= p) / (1.0 - p), A.shape).copy()\n"
         "    return A * mask, mask\n", "one number per entry"),
        ("returns a mask of one value per unit (wrong shape)",
         _DF_HEAD + _DF_EVAL + "    mask = (rng.random(A.shape[-1]) >= p) / (1.0 - p)\n    return A * mask, mask\n",
         "shape"),
        ("makes its own generator with a fixed seed",
         _DF_HEAD + _DF_EVAL + "    mask = (np.random.default_rng(0).random(A.shape) >= p) / (1.0 - p)\n    return A * mask, mask\n",
         "fixed seed"),
        ("draws from NumPy's global generator instead of rng",
         _DF_HEAD + _DF_EVAL + "    mask = (np.random.random(A.shape) >= p) / (1.0 - p)\n    return A * mask, mask\n",
         "not from np.random"),
        ("draws the mask for 2-D arrays only (one mask of the last two axes for a 3-D A)",
         _DF_HEAD + _DF_EVAL + "    mask = np.broadcast_to((rng.random(A.shape[-2:]) >= p) / (1.0 - p), A.shape).copy()\n"
         "    return A * mask, mask\n", "reused for every slice"),
        ("changes A in place",
         "def dropout_forward(A, p, rng, training):\n    if not training:\n        return A, np.ones_like(A, dtype=float)\n"
         "    mask = (rng.random(A.shape) >= p) / (1.0 - p)\n    A *= mask\n    return A, mask\n",
         "in place"),
        ("draws the mask even in evaluation mode (and then ignores it)",
         _DF_HEAD + "    mask = (rng.random(A.shape) >= p) / (1.0 - p)\n    if not training:\n        return A, np.ones_like(A)\n"
         "    return A * mask, mask\n",
         "draw nothing"),
    ],
    "dropout_backward": [
        ("returns dout unchanged (forgets the mask)",
         "def dropout_backward(dout, mask):\n    return np.asarray(dout, dtype=float)\n", "dout * mask"),
        ("lets the gradient through the kept units without the 1/(1-p) scale",
         "def dropout_backward(dout, mask):\n    return dout * (mask > 0)\n", "1/(1-p)"),
        ("divides by the mask instead of multiplying",
         "def dropout_backward(dout, mask):\n    return dout / np.where(mask == 0, 1.0, mask) * (mask > 0)\n",
         "dout * mask"),
    ],
    "l2_penalty": [
        ("penalises the biases too",
         "def l2_penalty(params, lam):\n    return float(0.5 * lam * sum(np.sum(w ** 2) for w in params))\n", "biases"),
        ("forgets the 1/2",
         "def l2_penalty(params, lam):\n    return float(lam * sum(np.sum(w ** 2) for w in params[0::2]))\n", "lam / 2"),
        ("uses the norm instead of the squared norm",
         "def l2_penalty(params, lam):\n    return float(0.5 * lam * sum(np.linalg.norm(w) for w in params[0::2]))\n",
         "square every"),
        ("uses absolute values (L1)",
         "def l2_penalty(params, lam):\n    return float(0.5 * lam * sum(np.sum(np.abs(w)) for w in params[0::2]))\n",
         "square every weight entry"),
        ("penalises only the first layer",
         "def l2_penalty(params, lam):\n    return float(0.5 * lam * np.sum(params[0] ** 2))\n",
         "sum over all weight matrices"),
        ("squares the sum of each weight matrix instead of summing the squares",
         "def l2_penalty(params, lam):\n    return float(0.5 * lam * sum(np.sum(w) ** 2 for w in params[0::2]))\n",
         "square every weight entry"),
        ("returns one penalty per layer instead of their sum",
         "def l2_penalty(params, lam):\n    return np.array([0.5 * lam * np.sum(w ** 2) for w in params[0::2]])\n", "shape"),
    ],
    "l2_gradients": [
        ("adds lam * b to the bias gradients too",
         "def l2_gradients(grads, params, lam):\n    return [g + lam * w for g, w in zip(grads, params)]\n", "biases"),
        ("changes grads in place (+=)",
         "def l2_gradients(grads, params, lam):\n    for k in range(0, len(grads), 2):\n        grads[k] += lam * params[k]\n"
         "    return grads\n", "in place"),
        ("adds 2 * lam * W (the derivative without the 1/2 convention)",
         "def l2_gradients(grads, params, lam):\n"
         "    return [g + 2 * lam * w if k % 2 == 0 else g for k, (g, w) in enumerate(zip(grads, params))]\n",
         "lam * W"),
        ("subtracts lam * W",
         "def l2_gradients(grads, params, lam):\n"
         "    return [g - lam * w if k % 2 == 0 else g for k, (g, w) in enumerate(zip(grads, params))]\n",
         "Add lam * W"),
        ("returns only the weight gradients",
         "def l2_gradients(grads, params, lam):\n    return [g + lam * w for g, w in zip(grads[0::2], params[0::2])]\n",
         "list of 4"),
        ("adds lam * W to the gradient of the bias that follows it (off by one)",
         "def l2_gradients(grads, params, lam):\n"
         "    return [g + lam * params[k - 1] if k % 2 == 1 else g for k, g in enumerate(grads)]\n",
         "Add lam * W"),
        ("puts the new gradients into the caller's list (grads[k] = ...) and returns it",
         "def l2_gradients(grads, params, lam):\n    for k in range(0, len(grads), 2):\n"
         "        grads[k] = grads[k] + lam * params[k]\n    return grads\n", "in place"),
    ],
    "train_with_early_stopping": [
        ("keeps a reference to the best parameters, not a copy",
         _ES_HEAD + "        if loss < best_loss:\n            best_loss, best_epoch, waited, best_params = loss, epoch, 0, params\n"
         "        else:\n            waited += 1\n            if waited >= patience:\n                break\n"
         "    return best_params, best_epoch, val_losses\n", "COPY"),
        ("never resets the count of epochs without improvement",
         _ES_HEAD + "        if loss < best_loss:\n            best_loss, best_epoch = loss, epoch\n"
         "            best_params = [w.copy() for w in params]\n"
         "        else:\n            waited += 1\n            if waited >= patience:\n                break\n"
         "    return best_params, best_epoch, val_losses\n", "Reset the count"),
        ("counts an equal loss as an improvement (<=)",
         _ES_HEAD + "        if loss <= best_loss:\n            best_loss, best_epoch, waited = loss, epoch, 0\n"
         "            best_params = [w.copy() for w in params]\n"
         "        else:\n            waited += 1\n            if waited >= patience:\n                break\n"
         "    return best_params, best_epoch, val_losses\n", "strictly"),
        ("stops one epoch late (waited > patience)",
         _ES_HEAD + "        if loss < best_loss:\n            best_loss, best_epoch, waited = loss, epoch, 0\n"
         "            best_params = [w.copy() for w in params]\n"
         "        else:\n            waited += 1\n            if waited > patience:\n                break\n"
         "    return best_params, best_epoch, val_losses\n", "as soon as it reaches patience"),
        ("returns the last parameters instead of the best",
         _ES_HEAD + "        if loss < best_loss:\n            best_loss, best_epoch, waited = loss, epoch, 0\n"
         "        else:\n            waited += 1\n            if waited >= patience:\n                break\n"
         "    return [w.copy() for w in params], best_epoch, val_losses\n", "at the best epoch"),
        ("counts epochs from 0",
         _ES_HEAD + "        if loss < best_loss:\n            best_loss, best_epoch, waited = loss, epoch - 1, 0\n"
         "            best_params = [w.copy() for w in params]\n"
         "        else:\n            waited += 1\n            if waited >= patience:\n                break\n"
         "    return best_params, best_epoch, val_losses\n", "counted from 1"),
        ("calls val_loss twice per epoch",
         '''def train_with_early_stopping(params, train_epoch, val_loss, patience, max_epochs):
    best_loss, best_params, best_epoch = np.inf, None, 0
    val_losses, waited = [], 0
    for epoch in range(1, max_epochs + 1):
        params = train_epoch(params)
        val_losses.append(float(val_loss(params)))
        if val_loss(params) < best_loss:
            best_loss, best_epoch, waited = val_losses[-1], epoch, 0
            best_params = [w.copy() for w in params]
        else:
            waited += 1
            if waited >= patience:
                break
    return best_params, best_epoch, val_losses
''', "once per epoch"),
        ("ignores what train_epoch returns (assumes it trains in place)",
         '''def train_with_early_stopping(params, train_epoch, val_loss, patience, max_epochs):
    best_loss, best_params, best_epoch = np.inf, None, 0
    val_losses, waited = [], 0
    for epoch in range(1, max_epochs + 1):
        train_epoch(params)
        loss = float(val_loss(params))
        val_losses.append(loss)
        if loss < best_loss:
            best_loss, best_epoch, waited = loss, epoch, 0
            best_params = [w.copy() for w in params]
        else:
            waited += 1
            if waited >= patience:
                break
    return best_params, best_epoch, val_losses
''', "use what train_epoch returns"),
        ("appends the losses as val_loss returns them (NumPy numbers, not Python floats)",
         '''def train_with_early_stopping(params, train_epoch, val_loss, patience, max_epochs):
    best_loss, best_params, best_epoch = np.inf, None, 0
    val_losses, waited = [], 0
    for epoch in range(1, max_epochs + 1):
        params = train_epoch(params)
        loss = val_loss(params)
        val_losses.append(loss)
        if loss < best_loss:
            best_loss, best_epoch, waited = loss, epoch, 0
            best_params = [w.copy() for w in params]
        else:
            waited += 1
            if waited >= patience:
                break
    return best_params, best_epoch, val_losses
''', "float(val_loss(params))"),
    ],
    "debug_dropout_mlp_forward": [
        ("the broken code, unchanged",
         _DBG_HEAD + "        mask = (rng.random(A.shape[1]) >= p).astype(float)\n" + _DBG_TAIL, "symptom 1"),
        ("fixes the rescaling and the mode, keeps one draw per unit",
         _DBG_HEAD + "        if training:\n            mask = np.broadcast_to((rng.random(A.shape[1]) >= p) / (1.0 - p), A.shape)\n"
         "        else:\n            mask = np.ones_like(A)\n" + _DBG_TAIL, "symptom 1"),
        ("fixes the shape and the mode, forgets to rescale",
         _DBG_HEAD + "        if training:\n            mask = (rng.random(A.shape) >= p).astype(float)\n"
         "        else:\n            mask = np.ones_like(A)\n" + _DBG_TAIL, "symptom 2"),
        ("fixes the shape and the scale, still drops in evaluation mode",
         _DBG_HEAD + "        mask = (rng.random(A.shape) >= p) / (1.0 - p)\n" + _DBG_TAIL, "symptom 3"),
        ("drops units of the logits too",
         '''def dropout_mlp_forward(params, X, p, rng, training):
    n_layers = len(params) // 2
    A, masks = X, []
    for l in range(n_layers):
        Z = A @ params[2 * l] + params[2 * l + 1]
        if l == n_layers - 1:
            if training:
                Z = Z * (rng.random(Z.shape) >= p) / (1.0 - p)
            return Z, masks
        A = np.maximum(Z, 0.0)
        mask = (rng.random(A.shape) >= p) / (1.0 - p) if training else np.ones_like(A)
        A = A * mask
        masks.append(mask)
''', "no mask to the logits"),
        ("returns a second, fresh mask instead of the one it used",
         _DBG_HEAD + "        if training:\n            mask = (rng.random(A.shape) >= p) / (1.0 - p)\n"
         "            A = A * mask\n            masks.append((rng.random(A.shape) >= p) / (1.0 - p))\n"
         "        else:\n            masks.append(np.ones_like(A))\n    return A @ params[-2] + params[-1], masks\n",
         "each returned mask"),
        ("makes its own generator with a fixed seed",
         _DBG_HEAD + "        if training:\n            mask = (np.random.default_rng(0).random(A.shape) >= p) / (1.0 - p)\n"
         "        else:\n            mask = np.ones_like(A)\n" + _DBG_TAIL, "rng argument"),
    ],
}
