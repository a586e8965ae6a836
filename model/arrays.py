"""Sums and means of small arrays without numpy's Python-level wrappers.

``x.sum()`` and ``x.mean()`` pass through Python functions in ``numpy._core._methods`` before
they reach ``np.add.reduce``; on the model's arrays of a few hundred elements, summed about a
hundred times a simulated day, that wrapper costs as much as the sum. :func:`sum_of` and
:func:`mean_of` call the reduction directly: the same pairwise summation, the same result to the
last bit.
"""

from __future__ import annotations

import functools

import numpy as np

sum_of = functools.partial(np.add.reduce, axis=None)
"""``sum_of(x)`` is ``x.sum()``; ``sum_of(x, axis=1)`` is ``x.sum(axis=1)``."""


def mean_of(x: np.ndarray) -> np.float64:
    """``x.mean()``: the pairwise sum over the count."""
    return np.add.reduce(x, axis=None) / x.size
