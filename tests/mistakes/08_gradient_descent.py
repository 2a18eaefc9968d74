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
            'a plus sign would climb uphill',
        ),
        (
            "updates the parameters in place with -=",
            "def sgd_step(params, grads, lr):\n"
            "    for p, g in zip(params, grads):\n"
            "        p -= lr * g\n"
            "    return params\n",
            'changed its argument `params` in place',
        ),
        (
            "forgets the learning rate",
            "def sgd_step(params, grads, lr):\n    return [p - g for p, g in zip(params, grads)]\n",
            'scaled by the learning rate',
        ),
        (
            "replaces the entries of the caller's list instead of building a new one",
            "def sgd_step(params, grads, lr):\n"
            "    for i in range(len(params)):\n"
            "        params[i] = params[i] - lr * grads[i]\n"
            "    return params\n",
            'changed its argument `params` in place',
        ),
        (
            "returns only the first parameter tensor",
            "def sgd_step(params, grads, lr):\n    return params[0] - lr * grads[0]\n",
            'one new array per parameter',
        ),
    ],
    "largest_stable_lr": [
        (
            "returns 1 / lambda_max (the fastest rate for the steepest direction, not the limit)",
            "def largest_stable_lr(A):\n    return float(1.0 / np.max(np.linalg.eigvalsh(A)))\n",
            '1 / lambda_max is the best step',
        ),
        (
            "uses the smallest eigenvalue",
            "def largest_stable_lr(A):\n    return float(2.0 / np.min(np.linalg.eigvalsh(A)))\n",
            'lambda_min gives a limit far too large',
        ),
        (
            "uses the largest diagonal entry instead of the largest eigenvalue",
            "def largest_stable_lr(A):\n    return float(2.0 / np.max(np.diag(A)))\n",
            'not from an entry of the matrix',
        ),
        (
            "uses the largest entry of the matrix",
            "def largest_stable_lr(A):\n    return float(2.0 / np.max(A))\n",
            'not from an entry of the matrix',
        ),
        (
            "takes the last value of np.linalg.eigvals, which does not sort them",
            "def largest_stable_lr(A):\n    return float(2.0 / np.real(np.linalg.eigvals(A))[-1])\n",
            "does not sort them",
        ),
    ],
    "momentum_step": [
        (
            "dampened velocity: v = beta * v + (1 - beta) * g",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    v = [beta * a + (1 - beta) * g for a, g in zip(velocity, grads)]\n"
            "    return [p - lr * a for p, a in zip(params, v)], v\n",
            'no (1 - beta) factor',
        ),
        (
            "moves the parameters with the old velocity",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    new_params = [p - lr * a for p, a in zip(params, velocity)]\n"
            "    v = [beta * a + g for a, g in zip(velocity, grads)]\n"
            "    return new_params, v\n",
            'move with the new velocity',
        ),
        (
            "puts the learning rate inside the velocity (v = beta * v - lr * g, theta + v)",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    v = [beta * a - lr * g for a, g in zip(velocity, grads)]\n"
            "    return [p + a for p, a in zip(params, v)], v\n",
            'no lr inside the velocity',
        ),
        (
            "updates the velocity arrays in place",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    for a, g in zip(velocity, grads):\n"
            "        a *= beta\n"
            "        a += g\n"
            "    return [p - lr * a for p, a in zip(params, velocity)], velocity\n",
            'changed its argument `velocity` in place',
        ),
        (
            "ignores the beta argument (always 0.9)",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    v = [0.9 * a + g for a, g in zip(velocity, grads)]\n"
            "    return [p - lr * a for p, a in zip(params, v)], v\n",
            'the beta you are given',
        ),
        (
            "ignores the learning rate it is given (always 0.1)",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    v = [beta * a + g for a, g in zip(velocity, grads)]\n"
            "    return [p - 0.1 * a for p, a in zip(params, v)], v\n",
            "the lr you are given",
        ),
        (
            "returns only the new parameters",
            "def momentum_step(params, grads, velocity, lr, beta=0.9):\n"
            "    v = [beta * a + g for a, g in zip(velocity, grads)]\n"
            "    return [p - lr * a for p, a in zip(params, v)]\n",
            'return new_params, new_velocity',
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
            'missing bias correction',
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
            'eps goes outside the square root',
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
            't not being increased before the correction',
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
            'not the bias-corrected m_hat',
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
            'changed its argument `state` in place',
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
            'v_hat = g**2',
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
            '0 before the first step',
        ),
        (
            "ignores the eps it is given (always 1e-8)",
            _ADAM_INIT + _ADAM_STEP_HEAD
            + "    t = state['t'] + 1\n"
              "    m = [beta1 * a + (1 - beta1) * g for a, g in zip(state['m'], grads)]\n"
              "    v = [beta2 * a + (1 - beta2) * g * g for a, g in zip(state['v'], grads)]\n"
              "    new = [p - lr * (a / (1 - beta1**t)) / (np.sqrt(b / (1 - beta2**t)) + 1e-8)\n"
              "           for p, a, b in zip(params, m, v)]\n"
              "    return new, {'t': t, 'm': m, 'v': v}\n",
            "the hyperparameters you are given",
        ),
        (
            "ignores the beta2 it is given (always 0.999)",
            _ADAM_INIT + _ADAM_STEP_HEAD
            + "    t = state['t'] + 1\n"
              "    m = [beta1 * a + (1 - beta1) * g for a, g in zip(state['m'], grads)]\n"
              "    v = [0.999 * a + 0.001 * g * g for a, g in zip(state['v'], grads)]\n"
              "    new = [p - lr * (a / (1 - beta1**t)) / (np.sqrt(b / (1 - 0.999**t)) + eps)\n"
              "           for p, a, b in zip(params, m, v)]\n"
              "    return new, {'t': t, 'm': m, 'v': v}\n",
            "the hyperparameters you are given",
        ),
        (
            "writes the new m and v into the lists of the state it was given",
            _ADAM_INIT + _ADAM_STEP_HEAD
            + "    t = state['t'] + 1\n"
              "    m, v = state['m'], state['v']\n"
              "    new = []\n"
              "    for i, (p, g) in enumerate(zip(params, grads)):\n"
              "        m[i] = beta1 * m[i] + (1 - beta1) * g\n"
              "        v[i] = beta2 * v[i] + (1 - beta2) * g * g\n"
              "        new.append(p - lr * (m[i] / (1 - beta1**t)) / (np.sqrt(v[i] / (1 - beta2**t)) + eps))\n"
              "    return new, {'t': t, 'm': m, 'v': v}\n",
            "changed its argument `state` in place",
        ),
    ],
    "debug_adam_update": [
        (
            "fixes only eps (still no bias correction)",
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1 - beta1) * g\n"
            "    v = beta2 * v + (1 - beta2) * g * g\n"
            "    return theta - lr * m / (np.sqrt(v) + eps), m, v\n",
            '1 - beta1**t',
        ),
        (
            "fixes only the bias correction (eps still inside the square root)",
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1 - beta1) * g\n"
            "    v = beta2 * v + (1 - beta2) * g * g\n"
            "    return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v\n",
            'outside the square root',
        ),
        (
            "corrects with t + 1 (as if t still had to be increased)",
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1 - beta1) * g\n"
            "    v = beta2 * v + (1 - beta2) * g * g\n"
            "    t = t + 1\n"
            "    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v\n",
            'with the t you are given',
        ),
        (
            "returns the bias-corrected moments",
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = (beta1 * m + (1 - beta1) * g) / (1 - beta1**t)\n"
            "    v = (beta2 * v + (1 - beta2) * g * g) / (1 - beta2**t)\n"
            "    return theta - lr * m / (np.sqrt(v) + eps), m, v\n",
            'not m_hat and v_hat',
        ),
        (
            "ignores the lr it is given (always 1e-3)",
            "def adam_update(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1 - beta1) * g\n"
            "    v = beta2 * v + (1 - beta2) * g * g\n"
            "    return theta - 1e-3 * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v\n",
            "the lr passed in",
        ),
    ],
}
