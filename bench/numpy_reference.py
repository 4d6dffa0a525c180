#!/usr/bin/env python3
"""The references `just bench` compares our implementation with, on the same data in the same
run: the exercise's vectorized numpy cost and gradient, the same cost differentiated by JAX
(`jax.jit(jax.value_and_grad(cost))`, f64 on the CPU), and scipy's L-BFGS-B over each.

numpy and scipy each load their own OpenBLAS, each with a thread per core; inside scipy's
L-BFGS-B both pools would fight for the same cores, so scipy's is held to one thread
(threadpoolctl): numpy's products keep every core.

Usage: numpy_reference.py DATA.mat [--evaluations N] [--iterations N]
Prints one JSON object: seconds per cost-and-gradient evaluation (median and best) of numpy and
of JAX, L-BFGS-B for 100 iterations at lambda 1 over each (seconds, training accuracy), and the
GFLOP/s of a large numpy matrix product (the cores' practical ceiling as OpenBLAS reaches it).
Needs numpy, scipy and threadpoolctl; JAX is measured when installed (all from pip).
"""

import argparse
import json
import sys
import time

import numpy as np
import scipy.io
import scipy.optimize
from threadpoolctl import ThreadpoolController

try:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
except ImportError:
    jax = None


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def nn_cost_function(nn_params, input_size, hidden_size, num_labels, X, y, lam):
    """nnCostFunction, vectorized as in the exercise's numpy notebooks."""
    theta1 = nn_params[: hidden_size * (input_size + 1)].reshape(hidden_size, input_size + 1, order="F")
    theta2 = nn_params[hidden_size * (input_size + 1):].reshape(num_labels, hidden_size + 1, order="F")
    m = X.shape[0]
    a1 = np.hstack([np.ones((m, 1)), X])
    z2 = a1 @ theta1.T
    a2 = np.hstack([np.ones((m, 1)), sigmoid(z2)])
    z3 = a2 @ theta2.T
    a3 = sigmoid(z3)
    y_matrix = np.eye(num_labels)[y - 1]
    J = (-1.0 / m) * np.sum(y_matrix * np.log(a3) + (1 - y_matrix) * np.log(1 - a3))
    J += lam / (2.0 * m) * (np.sum(theta1[:, 1:] ** 2) + np.sum(theta2[:, 1:] ** 2))
    delta3 = a3 - y_matrix
    delta2 = (delta3 @ theta2[:, 1:]) * (sigmoid(z2) * (1 - sigmoid(z2)))
    theta1_grad = (delta2.T @ a1) / m
    theta2_grad = (delta3.T @ a2) / m
    theta1_grad[:, 1:] += lam / m * theta1[:, 1:]
    theta2_grad[:, 1:] += lam / m * theta2[:, 1:]
    return J, np.concatenate([theta1_grad.ravel(order="F"), theta2_grad.ravel(order="F")])


def predict(nn_params, input_size, hidden_size, num_labels, X):
    theta1 = nn_params[: hidden_size * (input_size + 1)].reshape(hidden_size, input_size + 1, order="F")
    theta2 = nn_params[hidden_size * (input_size + 1):].reshape(num_labels, hidden_size + 1, order="F")
    m = X.shape[0]
    h1 = sigmoid(np.hstack([np.ones((m, 1)), X]) @ theta1.T)
    h2 = sigmoid(np.hstack([np.ones((m, 1)), h1]) @ theta2.T)
    return np.argmax(h2, axis=1) + 1


def jax_cost_function(input_size, hidden_size, num_labels, X, y, lam):
    """The same cost in jax.numpy, for `jax.value_and_grad`: the gradient comes from JAX."""
    X = jnp.asarray(X)
    y_matrix = jnp.asarray(np.eye(num_labels)[y - 1])
    m = X.shape[0]
    a1 = jnp.hstack([jnp.ones((m, 1)), X])

    def cost(nn_params):
        theta1 = nn_params[: hidden_size * (input_size + 1)].reshape(input_size + 1, hidden_size).T
        theta2 = nn_params[hidden_size * (input_size + 1):].reshape(hidden_size + 1, num_labels).T
        a2 = jnp.hstack([jnp.ones((m, 1)), jax.nn.sigmoid(a1 @ theta1.T)])
        z3 = a2 @ theta2.T
        # -y log σ(z) - (1 - y) log σ(-z), from the logits as the Rust engines take it.
        J = jnp.sum(y_matrix * jax.nn.softplus(-z3) + (1 - y_matrix) * jax.nn.softplus(z3)) / m
        return J + lam / (2.0 * m) * (jnp.sum(theta1[:, 1:] ** 2) + jnp.sum(theta2[:, 1:] ** 2))

    value_and_grad = jax.jit(jax.value_and_grad(cost))

    def evaluate(nn_params):
        J, grad = value_and_grad(jnp.asarray(nn_params))
        return float(J), np.asarray(grad, dtype=np.float64)

    return evaluate


def median_and_best(f, params, evaluations):
    f(params)  # warm up (and compile, for JAX)
    times = []
    for _ in range(evaluations):
        start = time.perf_counter()
        f(params)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), float(min(times))


def lbfgs(f, params, iterations, accuracy_of):
    start = time.perf_counter()
    result = scipy.optimize.minimize(f, params, jac=True, method="L-BFGS-B", options={"maxiter": iterations})
    seconds = time.perf_counter() - start
    return {"iterations": int(result.nit), "evaluations": int(result.nfev), "seconds": seconds,
            "accuracy": accuracy_of(result.x)}


def dgemm_flops(n=2000):
    """FLOP/s of a large numpy matrix product (OpenBLAS dgemm on every core), best of three."""
    a, b = np.random.default_rng(1).random((2, n, n))
    a @ b
    best = min(timed(lambda: a @ b) for _ in range(3))
    return 2.0 * n**3 / best


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data")
    parser.add_argument("--evaluations", type=int, default=50)
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()
    mat = scipy.io.loadmat(args.data)
    X, y = mat["X"].astype(np.float64), mat["y"].ravel().astype(np.int64)
    input_size, hidden_size, num_labels = X.shape[1], 25, 10
    rng = np.random.default_rng(0)
    n = hidden_size * (input_size + 1) + num_labels * (hidden_size + 1)
    params = rng.uniform(-0.12, 0.12, n)

    controller = ThreadpoolController()
    # scipy's own OpenBLAS (L-BFGS-B's products) on one thread; numpy's keeps every core.
    scipy_blas = [lib for lib in controller.lib_controllers if "scipy.libs" in lib.filepath]
    for lib in scipy_blas:
        lib.set_num_threads(1)
    blas = [{"file": lib.filepath.rsplit("/", 1)[-1], "threads": lib.num_threads} for lib in controller.lib_controllers]

    def numpy_cost(p):
        return nn_cost_function(p, input_size, hidden_size, num_labels, X, y, 1.0)

    def accuracy_of(p):
        return float(np.mean(predict(p, input_size, hidden_size, num_labels, X) == y) * 100)

    evaluation, evaluation_best = median_and_best(numpy_cost, params, args.evaluations)
    numpy_lbfgs = lbfgs(numpy_cost, params, args.iterations, accuracy_of)
    report = {
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "blas": blas,
        "evaluation_seconds": evaluation,
        "evaluation_best_seconds": evaluation_best,
        "lbfgs_iterations": numpy_lbfgs["iterations"],
        "lbfgs_evaluations": numpy_lbfgs["evaluations"],
        "lbfgs_seconds": numpy_lbfgs["seconds"],
        "lbfgs_accuracy": numpy_lbfgs["accuracy"],
        "dgemm_flops": dgemm_flops(),
    }
    if jax is not None:
        jax_cost = jax_cost_function(input_size, hidden_size, num_labels, X, y, 1.0)
        # The two gradients agree (the same function, by hand and by JAX).
        gap = np.max(np.abs(jax_cost(params)[1] - numpy_cost(params)[1]))
        jax_evaluation, jax_best = median_and_best(jax_cost, params, args.evaluations)
        jax_lbfgs = lbfgs(jax_cost, params, args.iterations, accuracy_of)
        report.update({
            "jax": jax.__version__,
            "jax_gradient_max_difference": float(gap),
            "jax_evaluation_seconds": jax_evaluation,
            "jax_evaluation_best_seconds": jax_best,
            "jax_lbfgs_iterations": jax_lbfgs["iterations"],
            "jax_lbfgs_evaluations": jax_lbfgs["evaluations"],
            "jax_lbfgs_seconds": jax_lbfgs["seconds"],
            "jax_lbfgs_accuracy": jax_lbfgs["accuracy"],
        })
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()
