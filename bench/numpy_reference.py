#!/usr/bin/env python3
"""The exercise's vectorized numpy cost and gradient, and scipy's L-BFGS on it: the reference
`just bench` compares our implementation with, on the same data in the same run.

Usage: numpy_reference.py DATA.mat [--evaluations N] [--iterations N]
Prints one JSON object: seconds per cost-and-gradient evaluation (median), and L-BFGS-B for
100 iterations at lambda 1 (seconds, training accuracy). Needs numpy and scipy (pip).
"""

import argparse
import json
import sys
import time

import numpy as np
import scipy.io
import scipy.optimize


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

    nn_cost_function(params, input_size, hidden_size, num_labels, X, y, 1.0)  # warm up
    times = []
    for _ in range(args.evaluations):
        start = time.perf_counter()
        nn_cost_function(params, input_size, hidden_size, num_labels, X, y, 1.0)
        times.append(time.perf_counter() - start)
    evaluation = float(np.median(times))

    start = time.perf_counter()
    result = scipy.optimize.minimize(
        nn_cost_function, params, args=(input_size, hidden_size, num_labels, X, y, 1.0),
        jac=True, method="L-BFGS-B", options={"maxiter": args.iterations},
    )
    lbfgs_seconds = time.perf_counter() - start
    accuracy = float(np.mean(predict(result.x, input_size, hidden_size, num_labels, X) == y) * 100)
    json.dump({
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "evaluation_seconds": evaluation,
        "evaluation_best_seconds": float(min(times)),
        "lbfgs_iterations": int(result.nit),
        "lbfgs_evaluations": int(result.nfev),
        "lbfgs_seconds": lbfgs_seconds,
        "lbfgs_accuracy": accuracy,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
