"""The course map in one place: each notebook's file name, title, time estimate and checkpoint.

`course progress` reads it to say where a learner stands and how much time is left; the
README's course map mirrors it (a test keeps them in step).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notebook:
    number: int
    name: str  # file stem in notebooks/ and solutions/
    title: str
    hours: tuple[float, float]  # honest range, from the notebook's own header
    checkpoint: str | None = None  # the checkpoint graded at the end of this notebook

    @property
    def mid_hours(self) -> float:
        return sum(self.hours) / 2


COURSE: tuple[Notebook, ...] = (
    Notebook(1, "01_biological_neuron", "Biological inspiration", (2, 3)),
    Notebook(2, "02_perceptron", "The perceptron", (2, 3)),
    Notebook(3, "03_activations", "Activation functions", (3, 4), "A"),
    Notebook(4, "04_multilayer_perceptrons", "Multi-layer perceptrons", (2, 3)),
    Notebook(5, "05_forward_propagation", "Forward propagation", (2, 3)),
    Notebook(6, "06_loss_functions", "Loss functions", (3, 3), "B"),
    Notebook(7, "07_backpropagation", "Backpropagation", (3, 4)),
    Notebook(8, "08_gradient_descent", "Gradient descent for networks", (2, 3)),
    Notebook(9, "09_training_loop", "The training loop", (3, 4), "C"),
    Notebook(10, "10_regularisation", "Regularisation", (2, 3)),
    Notebook(11, "11_convolutional_networks", "Convolutional networks", (3, 4)),
    Notebook(12, "12_batchnorm_residual", "Batch norm and residual connections", (2, 3)),
    Notebook(13, "13_dqn_network", "The DQN network", (4, 4), "D"),
    Notebook(14, "14_capstone", "Capstone: an Atari agent", (2, 3)),
)


def by_name(name: str) -> Notebook | None:
    return next((nb for nb in COURSE if nb.name == name), None)
