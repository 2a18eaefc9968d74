"""Realistic wrong answers for notebook 08 (gradient descent: SGD, momentum, Adam).

Each entry replaces the exercise's whole answer cell; every test cell of the exercise must
then fail with a plain-words CheckFailed message.
"""

_ADAM_INIT = '''def adam_init(params):
    return {"t": 0, "m": [np.zeros_like(p) for p in params], "v": [np.zeros_like(p) for p in params]}


'''

_ADAM_STEP_HEAD = '''def adam_step(params, grads, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
'''

MISTAKES = {
    "sgd_step": [
        (
            "adds the gradient (climbs uphill)",
            "def sgd_step(params, grads, lr):\n    return [p + lr * g for p, g in zip(params, grads)]\n",
        ),
        (
            "updates the parameters in place with -=",
            "def sgd_step(params, grads, lr):\n"
            "    for p, g in zip(params, grads):\n"
            "        p -= lr * g\n"
            "    return params\n",
        ),
        (
            "forgets the learning rate",
            "def sgd_step(params, grads, lr):\n    return [p - g for p, g in zip(params, grads)]\n",
        ),
        (
            "replaces the entries of the caller's list instead of building a new one",
            "def sgd_step(params, grads, lr):\n"
            "    for i in range(len(params)):\n"
            "        params[i] = params[i] - lr * grads[i]\n"
            "    return params\n",
        ),
        (
            "returns only the first parameter tensor",
            "def sgd_step(params, grads, lr):\n    return params[0] - lr * grads[0]\n",
        ),
    ],
    "largest_stable_lr": [
        (
            "returns 1 / lambda_max (the fastest rate for the steepest direction, not the limit)",
            "def largest_stable_lr(A):\n    return float(1.0 / np.max(np.linalg.eigvalsh(A)))\n",
        ),
        (
            "uses the smallest eigenvalue",
            "def largest_stable_lr(A):\n    return float(2.0 / np.min(np.linalg.eigvalsh(A)))\n",
        ),
        (
            "uses the largest diagonal entry instead of the largest eigenvalue",
            "def largest_stable_lr(A):\n    return float(2.0 / np.max(np.diag(A)))\n",
        ),
        (
            "uses the largest entry of the matrix",
            "def largest_stable_lr(A):\n    return float(2.0 / np.max(A))\n",
        ),
    ],
    "momentum_step": [
        (
            "dampened velocity: v = beta * v + (1 - beta) * g",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    v = [beta * a + (1 - beta) * g for a, g in zip(velocity, grads)]\n"
            "    return [p - lr * a for p, a in zip(params, v)], v\n",
        ),
        (
            "moves the parameters with the old velocity",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    new_params = [p - lr * a for p, a in zip(params, velocity)]\n"
            "    v = [beta * a + g for a, g in zip(velocity, grads)]\n"
            "    return new_params, v\n",
        ),
        (
            "puts the learning rate inside the velocity (v = beta * v - lr * g, theta + v)",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    v = [beta * a - lr * g for a, g in zip(velocity, grads)]\n"
            "    return [p + a for p, a in zip(params, v)], v\n",
        ),
        (
            "updates the velocity arrays in place",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    for a, g in zip(velocity, grads):\n"
            "        a *= beta\n"
            "        a += g\n"
            "    return [p - lr * a for p, a in zip(params, velocity)], velocity\n",
        ),
        (
            "ignores the beta argument (always 0.9)",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    v = [0.9 * a + g for a, g in zip(velocity, grads)]\n"
            "    return [p - lr * a for p, a in zip(params, v)], v\n",
        ),
        (
            "returns only the new parameters",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    v = [beta * a + g for a, g in zip(velocity, grads)]\n"
            "    return [p - lr * a for p, a in zip(params, v)]\n",
        ),
    ],
    "adam_step": [
        (
            "no bias correction",
            _ADAM_INIT + _ADAM_STEP_HEAD
            + "    t = state['t'] + 1\n"
              "    m = [beta1 * a + (1 - beta1) * g for a, g in zip(state['m'], grads)]\n"
              "    v = [beta2 * a + (1 - beta2) * g * g for a, g in zip(state['v'], grads)]\n"
              "    new = [p - lr * a / (np.sqrt(b) + eps) for p, a, b in zip(params, m, v)]\n"
              "    return new, {'t': t, 'm': m, 'v': v}\n",
        ),
        (
            "eps inside the square root",
            _ADAM_INIT + _ADAM_STEP_HEAD
            + "    t = state['t'] + 1\n"
              "    m = [beta1 * a + (1 - beta1) * g for a, g in zip(state['m'], grads)]\n"
              "    v = [beta2 * a + (1 - beta2) * g * g for a, g in zip(state['v'], grads)]\n"
              "    new = [p - lr * (a / (1 - beta1**t)) / np.sqrt(b / (1 - beta2**t) + eps)\n"
              "           for p, a, b in zip(params, m, v)]\n"
              "    return new, {'t': t, 'm': m, 'v': v}\n",
        ),
        (
            "uses the old step count in the bias correction (t increased after the correction)",
            _ADAM_INIT + _ADAM_STEP_HEAD
            + "    t = state['t']\n"
              "    m = [beta1 * a + (1 - beta1) * g for a, g in zip(state['m'], grads)]\n"
              "    v = [beta2 * a + (1 - beta2) * g * g for a, g in zip(state['v'], grads)]\n"
              "    with np.errstate(divide='ignore', invalid='ignore'):\n"
              "        new = [p - lr * (a / (1 - beta1**t)) / (np.sqrt(b / (1 - beta2**t)) + eps)\n"
              "               for p, a, b in zip(params, m, v)]\n"
              "    return new, {'t': t + 1, 'm': m, 'v': v}\n",
        ),
        (
            "stores the bias-corrected m and v in the state",
            _ADAM_INIT + _ADAM_STEP_HEAD
            + "    t = state['t'] + 1\n"
              "    m = [beta1 * a + (1 - beta1) * g for a, g in zip(state['m'], grads)]\n"
              "    v = [beta2 * a + (1 - beta2) * g * g for a, g in zip(state['v'], grads)]\n"
              "    m = [a / (1 - beta1**t) for a in m]\n"
              "    v = [b / (1 - beta2**t) for b in v]\n"
              "    new = [p - lr * a / (np.sqrt(b) + eps) for p, a, b in zip(params, m, v)]\n"
              "    return new, {'t': t, 'm': m, 'v': v}\n",
        ),
        (
            "changes the state it was given (t and the m, v arrays in place)",
            _ADAM_INIT + _ADAM_STEP_HEAD
            + "    state['t'] += 1\n"
              "    t = state['t']\n"
              "    new = []\n"
              "    for p, g, a, b in zip(params, grads, state['m'], state['v']):\n"
              "        a *= beta1\n"
              "        a += (1 - beta1) * g\n"
              "        b *= beta2\n"
              "        b += (1 - beta2) * g * g\n"
              "        new.append(p - lr * (a / (1 - beta1**t)) / (np.sqrt(b / (1 - beta2**t)) + eps))\n"
              "    return new, state\n",
        ),
        (
            "second moment of g instead of g squared",
            _ADAM_INIT + _ADAM_STEP_HEAD
            + "    t = state['t'] + 1\n"
              "    m = [beta1 * a + (1 - beta1) * g for a, g in zip(state['m'], grads)]\n"
              "    v = [beta2 * a + (1 - beta2) * np.abs(g) for a, g in zip(state['v'], grads)]\n"
              "    new = [p - lr * (a / (1 - beta1**t)) / (np.sqrt(b / (1 - beta2**t)) + eps)\n"
              "           for p, a, b in zip(params, m, v)]\n"
              "    return new, {'t': t, 'm': m, 'v': v}\n",
        ),
        (
            "adam_init starts t at 1",
            "def adam_init(params):\n"
            "    return {'t': 1, 'm': [np.zeros_like(p) for p in params], 'v': [np.zeros_like(p) for p in params]}\n\n\n"
            + _ADAM_STEP_HEAD
            + "    t = state['t'] + 1\n"
              "    m = [beta1 * a + (1 - beta1) * g for a, g in zip(state['m'], grads)]\n"
              "    v = [beta2 * a + (1 - beta2) * g * g for a, g in zip(state['v'], grads)]\n"
              "    new = [p - lr * (a / (1 - beta1**t)) / (np.sqrt(b / (1 - beta2**t)) + eps)\n"
              "           for p, a, b in zip(params, m, v)]\n"
              "    return new, {'t': t, 'm': m, 'v': v}\n",
        ),
    ],
    "debug_adam_update": [
        (
            "fixes only eps (still no bias correction)",
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1 - beta1) * g\n"
            "    v = beta2 * v + (1 - beta2) * g * g\n"
            "    return theta - lr * m / (np.sqrt(v) + eps), m, v\n",
        ),
        (
            "fixes only the bias correction (eps still inside the square root)",
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1 - beta1) * g\n"
            "    v = beta2 * v + (1 - beta2) * g * g\n"
            "    return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v\n",
        ),
        (
            "corrects with t + 1 (as if t still had to be increased)",
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1 - beta1) * g\n"
            "    v = beta2 * v + (1 - beta2) * g * g\n"
            "    t = t + 1\n"
            "    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v\n",
        ),
        (
            "returns the bias-corrected moments",
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = (beta1 * m + (1 - beta1) * g) / (1 - beta1**t)\n"
            "    v = (beta2 * v + (1 - beta2) * g * g) / (1 - beta2**t)\n"
            "    return theta - lr * m / (np.sqrt(v) + eps), m, v\n",
        ),
    ],
}
