#!/usr/bin/env python3
"""Checks that two Earshot snapshots differ only in their tensors' values.

    compare_snapshots.py A B [--same-rows]

Same files; every `.npy` with the same dtype and shape; the manifests with the
same keys at every level (values may differ). With `--same-rows` (both trained
on one input), the id lists and the training rows' structure
(`user_items_indptr`, `user_items_indices`) must also be equal and the
confidences (`user_items_data`) equal to float32 rounding.

Then, for each snapshot, how exactly its `mf` manifest describes its user
factors: each sampled training user's vector is solved again the way the
daemon folds a history in (docs/SCALING.md) from the item factors, the stored
confidences and the manifest's `regularization`, `regularization_exponent`,
and compared with the stored vector. Prints one JSON line per snapshot and
exits 1 when a structural check fails.
"""

import argparse
import json
import os
import sys

import numpy


def manifest_keys(value, prefix=""):
    """Every key path of a JSON value, values left out."""
    if isinstance(value, dict):
        keys = set()
        for key, child in value.items():
            keys.add(prefix + key)
            keys |= manifest_keys(child, prefix + key + ".")
        return keys
    return set()


def load(path):
    with open(os.path.join(path, "manifest.json"), encoding="utf-8") as file:
        manifest = json.load(file)
    return manifest


def structural_differences(a, b, same_rows):
    """What differs between snapshots `a` and `b` beyond tensor values."""
    problems = []
    manifest_a, manifest_b = load(a), load(b)
    keys_a, keys_b = manifest_keys(manifest_a), manifest_keys(manifest_b)
    if keys_a != keys_b:
        problems.append(f"manifest keys differ: only in A {sorted(keys_a - keys_b)}, only in B {sorted(keys_b - keys_a)}")
    files_a, files_b = set(manifest_a["files"]), set(manifest_b["files"])
    if files_a != files_b:
        problems.append(f"files differ: only in A {sorted(files_a - files_b)}, only in B {sorted(files_b - files_a)}")
    for name in sorted(files_a & files_b):
        path_a, path_b = os.path.join(a, name), os.path.join(b, name)
        if name.endswith(".npy"):
            tensor_a, tensor_b = numpy.load(path_a, mmap_mode="r"), numpy.load(path_b, mmap_mode="r")
            if tensor_a.dtype != tensor_b.dtype or tensor_a.shape != tensor_b.shape:
                problems.append(f"{name}: A is {tensor_a.dtype}{tensor_a.shape}, B is {tensor_b.dtype}{tensor_b.shape}")
            elif same_rows and name.endswith(("user_items_indptr.npy", "user_items_indices.npy")):
                if not numpy.array_equal(tensor_a, tensor_b):
                    problems.append(f"{name}: the training rows differ")
            elif same_rows and name.endswith("user_items_data.npy"):
                if not numpy.allclose(tensor_a, tensor_b, rtol=1e-5, atol=1e-6):
                    problems.append(f"{name}: confidences differ by up to {numpy.abs(tensor_a - tensor_b).max()}")
        elif same_rows:
            with open(path_a, "rb") as file_a, open(path_b, "rb") as file_b:
                if file_a.read() != file_b.read():
                    problems.append(f"{name}: the id lists differ")
    return problems


def fold_in_error(path, part="mf", sample=50, seed=0):
    """Largest relative error between stored user vectors and the vectors the
    daemon's fold-in formula gives for the same users' training items."""
    manifest = load(path)
    parameters = manifest["scorers"][part]["hyperparameters"]
    folder = os.path.join(path, part)
    items = numpy.load(os.path.join(folder, "item_factors.npy")).astype(numpy.float64)
    users = numpy.load(os.path.join(folder, "user_factors.npy"), mmap_mode="r")
    indptr = numpy.load(os.path.join(folder, "user_items_indptr.npy"))
    indices = numpy.load(os.path.join(folder, "user_items_indices.npy"))
    confidences = numpy.load(os.path.join(folder, "user_items_data.npy")).astype(numpy.float64)
    gram = items.T @ items
    rank = items.shape[1]
    rows = numpy.random.default_rng(seed).choice(users.shape[0], size=min(sample, users.shape[0]), replace=False)
    worst = 0.0
    for row in rows:
        start, end = indptr[row], indptr[row + 1]
        y, c = items[indices[start:end]], confidences[start:end]
        penalty = parameters["regularization"] * max(end - start, 1) ** parameters.get("regularization_exponent", 0)
        matrix = gram + (y.T * (c - 1)) @ y + penalty * numpy.eye(rank)
        solved = numpy.linalg.solve(matrix, y.T @ c)
        stored = numpy.asarray(users[row], dtype=numpy.float64)
        worst = max(worst, float(numpy.linalg.norm(solved - stored) / max(numpy.linalg.norm(stored), 1e-12)))
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--same-rows", action="store_true", help="both snapshots were trained on one input")
    arguments = parser.parse_args(argv)
    problems = structural_differences(arguments.a, arguments.b, arguments.same_rows)
    for problem in problems:
        print(f"compare_snapshots.py: {problem}", file=sys.stderr)
    for path in (arguments.a, arguments.b):
        print(json.dumps({"snapshot": path, "fold_in_relative_error": fold_in_error(path)}))
    print(json.dumps({"structure": "same" if not problems else "different", "problems": len(problems)}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
