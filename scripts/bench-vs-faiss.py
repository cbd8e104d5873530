#!/usr/bin/env python3
"""Side by side, in one run: faiss IndexFlatIP (exact inner product, one
thread, in-process) against earshotd answering `recommend` over its socket,
on the same mf snapshot. Checks that both return the same top-k.

usage: bench-vs-faiss.py SOCKET SNAPSHOT_DIR [--queries 200] [--k 10]
needs: pip install faiss-cpu numpy
"""
import argparse, json, socket, statistics, time

import faiss
import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("snapshot")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()

    items = np.load(f"{args.snapshot}/mf/item_factors.npy", mmap_mode="r")
    users = np.load(f"{args.snapshot}/mf/user_factors.npy")
    item_ids = open(f"{args.snapshot}/mf/items.txt").read().split("\n")
    user_ids = open(f"{args.snapshot}/mf/users.txt").read().split("\n")
    faiss.omp_set_num_threads(1)
    index = faiss.IndexFlatIP(items.shape[1])
    index.add(np.ascontiguousarray(items))
    count = min(args.queries, users.shape[0])

    faiss_ms, expected = [], []
    for u in range(count):
        start = time.perf_counter()
        _, found = index.search(users[u : u + 1], args.k)
        faiss_ms.append((time.perf_counter() - start) * 1000)
        expected.append([item_ids[i] for i in found[0]])

    client = socket.socket(socket.AF_UNIX)
    client.connect(args.socket)
    reader = client.makefile("rb")
    def ask(u):
        request = {"op": "recommend", "scorer": "mf", "user": user_ids[u], "k": args.k, "exclude_heard": False}
        client.sendall(json.dumps(request).encode() + b"\n")
        return json.loads(reader.readline())
    for u in range(min(20, count)):  # warm up
        ask(u)
    earshot_ms, same = [], 0
    for u in range(count):
        start = time.perf_counter()
        response = ask(u)
        earshot_ms.append((time.perf_counter() - start) * 1000)
        got = [item["track"] for item in response["result"]["items"]]
        same += got == expected[u]

    def p(values, q):
        return round(sorted(values)[min(len(values) - 1, int(q * len(values)))], 3)
    print(json.dumps({
        "items": items.shape[0], "dims": items.shape[1], "queries": count, "k": args.k,
        "faiss_p50_ms": round(statistics.median(faiss_ms), 3), "faiss_p99_ms": p(faiss_ms, 0.99),
        "earshot_p50_ms": round(statistics.median(earshot_ms), 3), "earshot_p99_ms": p(earshot_ms, 0.99),
        "ratio_p50": round(statistics.median(earshot_ms) / statistics.median(faiss_ms), 3),
        "identical_topk": same,
    }))


if __name__ == "__main__":
    main()
