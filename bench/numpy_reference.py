#!/usr/bin/env python3
"""The references `just bench` compares our implementation with, on the same data in the same
run: the exercise's vectorized numpy cost and gradient, the same cost differentiated by JAX
(`jax.jit(jax.value_and_grad(cost))`, f64 on the CPU), and scipy's L-BFGS-B over each.

With `--hidden`, `--activation` or `--output`, the network is any depth (`--hidden 100,25` is
400-100-25-10), its hidden activation sigmoid, tanh or relu and its output sigmoid (the
exercise's cost) or softmax (the cross-entropy of the true label): numpy by the hand-written
backpropagation of any depth, JAX by `jax.value_and_grad` of the same cost. Without them, the
exercise's own functions (one hidden layer of 25) are measured.

numpy and scipy each load their own OpenBLAS, each with a thread per core; inside scipy's
L-BFGS-B both pools would fight for the same cores, so scipy's is held to one thread
(threadpoolctl): numpy's products keep every core.

Usage: numpy_reference.py DATA.mat [--evaluations N] [--iterations N] [--hidden N,N,...]
                          [--activation sigmoid|tanh|relu] [--output sigmoid|softmax] [--no-dgemm]
Prints one JSON object: seconds per cost-and-gradient evaluation (median and best) of numpy and
of JAX, L-BFGS-B for 100 iterations at lambda 1 over each (seconds, training accuracy; skipped
with `--iterations 0`), and the GFLOP/s of a large numpy matrix product (the cores' practical
ceiling as OpenBLAS reaches it; skipped with `--no-dgemm`). The parameters are uniform in [-0.12, 0.12] (numpy's
`default_rng(0)`), lambda 1. Needs numpy, scipy and threadpoolctl; JAX is measured when
installed (all from pip).
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


def unroll_thetas(nn_params, layers):
    """Theta1 ... ThetaL from the unrolled vector, each `s_{l+1} x (s_l + 1)`, column-major."""
    thetas, start = [], 0
    for inputs, outputs in zip(layers[:-1], layers[1:]):
        end = start + outputs * (inputs + 1)
        thetas.append(nn_params[start:end].reshape(outputs, inputs + 1, order="F"))
        start = end
    return thetas


def activation_and_gradient(name):
    """The hidden activation g, and g' from g's value a (relu's is 1 where a > 0, else 0)."""
    if name == "sigmoid":
        return sigmoid, lambda a: a * (1 - a)
    if name == "tanh":
        return np.tanh, lambda a: 1 - a * a
    if name == "relu":
        return (lambda z: np.maximum(z, 0.0)), (lambda a: (a > 0).astype(a.dtype))
    raise ValueError(f"unknown activation {name}")


def nn_cost_function_deep(nn_params, layers, X, y, lam, activation="sigmoid", output="sigmoid"):
    """nnCostFunction for any depth, by the backpropagation written out as the exercise does:
    a_{l+1} = g([1 a_l] Theta_l'), delta_l = (delta_{l+1} Theta_l[:, 1:]) .* g'(z_l)."""
    thetas = unroll_thetas(nn_params, layers)
    g, g_prime = activation_and_gradient(activation)
    m, num_labels = X.shape[0], layers[-1]
    ones = np.ones((m, 1))
    a = [np.hstack([ones, X])]
    for theta in thetas[:-1]:
        a.append(np.hstack([ones, g(a[-1] @ theta.T)]))
    z_last = a[-1] @ thetas[-1].T
    y_matrix = np.eye(num_labels)[y - 1]
    if output == "sigmoid":
        h = sigmoid(z_last)
        J = (-1.0 / m) * np.sum(y_matrix * np.log(h) + (1 - y_matrix) * np.log(1 - h))
    else:
        shifted = z_last - z_last.max(axis=1, keepdims=True)
        log_sum = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        h = np.exp(shifted - log_sum)
        J = -np.sum(y_matrix * (shifted - log_sum)) / m
    J += lam / (2.0 * m) * sum(np.sum(theta[:, 1:] ** 2) for theta in thetas)
    delta = h - y_matrix
    grads = [None] * len(thetas)
    for l in range(len(thetas) - 1, -1, -1):
        grads[l] = (delta.T @ a[l]) / m
        grads[l][:, 1:] += lam / m * thetas[l][:, 1:]
        if l > 0:
            delta = (delta @ thetas[l][:, 1:]) * g_prime(a[l][:, 1:])
    return J, np.concatenate([grad.ravel(order="F") for grad in grads])


def predict_deep(nn_params, layers, X, activation="sigmoid"):
    thetas = unroll_thetas(nn_params, layers)
    g, _ = activation_and_gradient(activation)
    ones = np.ones((X.shape[0], 1))
    a = X
    for theta in thetas[:-1]:
        a = g(np.hstack([ones, a]) @ theta.T)
    # The output's largest logit is the largest sigmoid and the largest softmax alike.
    return np.argmax(np.hstack([ones, a]) @ thetas[-1].T, axis=1) + 1


def jax_cost_function_deep(layers, X, y, lam, activation="sigmoid", output="sigmoid"):
    """The cost of any depth in jax.numpy, for `jax.value_and_grad`: the gradient comes from JAX."""
    X = jnp.asarray(X)
    y_matrix = jnp.asarray(np.eye(layers[-1])[y - 1])
    m = X.shape[0]
    g = {"sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu}[activation]
    shapes = [(outputs, inputs + 1) for inputs, outputs in zip(layers[:-1], layers[1:])]

    def cost(nn_params):
        thetas, start = [], 0
        for rows, cols in shapes:
            thetas.append(nn_params[start:start + rows * cols].reshape(cols, rows).T)
            start += rows * cols
        a = X
        for theta in thetas[:-1]:
            a = g(a @ theta[:, 1:].T + theta[:, 0])
        z = a @ thetas[-1][:, 1:].T + thetas[-1][:, 0]
        if output == "sigmoid":
            J = jnp.sum(y_matrix * jax.nn.softplus(-z) + (1 - y_matrix) * jax.nn.softplus(z)) / m
        else:
            J = -jnp.sum(y_matrix * jax.nn.log_softmax(z, axis=1)) / m
        return J + lam / (2.0 * m) * sum(jnp.sum(theta[:, 1:] ** 2) for theta in thetas)

    value_and_grad = jax.jit(jax.value_and_grad(cost))

    def evaluate(nn_params):
        J, grad = value_and_grad(jnp.asarray(nn_params))
        return float(J), np.asarray(grad, dtype=np.float64)

    return evaluate


def multiply_adds(layers, m):
    """Multiply-adds of one evaluation counted dense, bias terms included: each Theta_l's forward
    product and gradient product, 2 m (s_l + 1) s_{l+1}, and the backward product of every
    Theta but the first, m s_{l+1} s_l."""
    pairs = list(zip(layers[:-1], layers[1:]))
    return sum(2 * m * (i + 1) * o for i, o in pairs) + sum(m * o * i for i, o in pairs[1:])


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
    parser.add_argument("--hidden", help="hidden layers' sizes, e.g. 100,25 (default: the exercise's 25)")
    parser.add_argument("--activation", choices=["sigmoid", "tanh", "relu"], default="sigmoid")
    parser.add_argument("--output", choices=["sigmoid", "softmax"], default="sigmoid")
    parser.add_argument("--no-dgemm", action="store_true", help="skip the large dgemm (measured once per bench)")
    args = parser.parse_args()
    mat = scipy.io.loadmat(args.data)
    X, y = mat["X"].astype(np.float64), mat["y"].ravel().astype(np.int64)
    input_size, hidden_size, num_labels = X.shape[1], 25, 10
    hidden = [int(s) for s in args.hidden.split(",")] if args.hidden else [hidden_size]
    layers = [input_size, *hidden, num_labels]
    # The exercise's own functions for its network; the functions of any depth otherwise.
    exercise = hidden == [hidden_size] and args.activation == "sigmoid" and args.output == "sigmoid"
    rng = np.random.default_rng(0)
    n = sum(o * (i + 1) for i, o in zip(layers[:-1], layers[1:]))
    params = rng.uniform(-0.12, 0.12, n)

    controller = ThreadpoolController()
    # scipy's own OpenBLAS (L-BFGS-B's products) on one thread; numpy's keeps every core.
    scipy_blas = [lib for lib in controller.lib_controllers if "scipy.libs" in lib.filepath]
    for lib in scipy_blas:
        lib.set_num_threads(1)
    blas = [{"file": lib.filepath.rsplit("/", 1)[-1], "threads": lib.num_threads} for lib in controller.lib_controllers]

    if exercise:
        def numpy_cost(p):
            return nn_cost_function(p, input_size, hidden_size, num_labels, X, y, 1.0)

        def accuracy_of(p):
            return float(np.mean(predict(p, input_size, hidden_size, num_labels, X) == y) * 100)
    else:
        def numpy_cost(p):
            return nn_cost_function_deep(p, layers, X, y, 1.0, args.activation, args.output)

        def accuracy_of(p):
            return float(np.mean(predict_deep(p, layers, X, args.activation) == y) * 100)

    evaluation, evaluation_best = median_and_best(numpy_cost, params, args.evaluations)
    report = {
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "blas": blas,
        "network": "-".join(map(str, layers)),
        "activation": args.activation,
        "output": args.output,
        "multiply_adds": multiply_adds(layers, X.shape[0]),
        "evaluation_seconds": evaluation,
        "evaluation_best_seconds": evaluation_best,
    }
    if args.iterations > 0:
        report.update({f"lbfgs_{k}": v for k, v in lbfgs(numpy_cost, params, args.iterations, accuracy_of).items()})
    if not args.no_dgemm:
        report["dgemm_flops"] = dgemm_flops()
    if jax is not None:
        if exercise:
            jax_cost = jax_cost_function(input_size, hidden_size, num_labels, X, y, 1.0)
        else:
            jax_cost = jax_cost_function_deep(layers, X, y, 1.0, args.activation, args.output)
        # The two agree (the same function, by hand and by JAX).
        (numpy_J, numpy_grad), (jax_J, jax_grad) = numpy_cost(params), jax_cost(params)
        jax_evaluation, jax_best = median_and_best(jax_cost, params, args.evaluations)
        report.update({
            "jax": jax.__version__,
            "jax_cost_difference": float(abs(jax_J - numpy_J)),
            "jax_gradient_max_difference": float(np.max(np.abs(jax_grad - numpy_grad))),
            "jax_evaluation_seconds": jax_evaluation,
            "jax_evaluation_best_seconds": jax_best,
        })
        if args.iterations > 0:
            jax_lbfgs = lbfgs(jax_cost, params, args.iterations, accuracy_of)
            report.update({f"jax_lbfgs_{k}": v for k, v in jax_lbfgs.items()})
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()
