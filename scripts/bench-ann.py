#!/usr/bin/env python3
"""ANN side by side, in one run: earshot's HNSW graph against hnswlib on the
same clustered synthetic snapshot (same vectors, M, ef_construction, build
threads), and the daemon's ANN `recommend` against its own exact scan over
the socket.

    scripts/bench-ann.py BIN_DIR WORK_DIR [--items 1000000] [--dims 64]
        [--users 1000] [--clusters 2000] [--spread 0.35] [--m 16]
        [--ef-construction 100] [--threads 2] [--ef 16,32,64,128]

BIN_DIR holds release `earshot` and `earshotd`. Prints one JSON object per
measurement and a summary line. needs: pip install hnswlib numpy
"""
import argparse, json, os, socket, subprocess, statistics, sys, time

import hnswlib
import numpy as np


def run(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out.stdout, time.perf_counter() - start


def emit(record):
    print(json.dumps(record), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("work")
    p.add_argument("--items", type=int, default=1_000_000)
    p.add_argument("--dims", type=int, default=64)
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--clusters", type=int, default=2000)
    p.add_argument("--spread", type=float, default=0.35)
    p.add_argument("--m", type=int, default=16)
    p.add_argument("--ef-construction", type=int, default=100)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--ef", default="16,32,64,128")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--socket-queries", type=int, default=500)
    a = p.parse_args()
    efs = [int(e) for e in a.ef.split(",")]
    earshot, earshotd = os.path.join(a.bin, "earshot"), os.path.join(a.bin, "earshotd")
    os.makedirs(a.work, exist_ok=True)
    flat = os.path.join(a.work, "flat")
    indexed = os.path.join(a.work, "indexed")
    if not os.path.exists(flat):
        run([earshot, "snapshot", "synth", "--items", str(a.items), "--dims", str(a.dims), "--users", str(a.users),
             "--clusters", str(a.clusters), "--spread", str(a.spread), "--out", flat])

    items = np.load(f"{flat}/mf/item_factors.npy", mmap_mode="r")
    users = np.load(f"{flat}/mf/user_factors.npy")
    user_ids = open(f"{flat}/mf/users.txt").read().split("\n")
    k = a.k
    # Exact top-k by blocks of items.
    best_s = np.full((len(users), k), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(users), k), dtype=np.int64)
    for start in range(0, items.shape[0], 200_000):
        block = np.asarray(items[start:start + 200_000])
        s = users @ block.T
        idx = np.argpartition(-s, k, axis=1)[:, :k]
        cs = np.concatenate([best_s, np.take_along_axis(s, idx, 1)], 1)
        ci = np.concatenate([best_i, idx + start], 1)
        top = np.argsort(-cs, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(cs, top, 1), np.take_along_axis(ci, top, 1)
    truth = [set(row) for row in best_i.tolist()]

    def recall(found):
        return sum(len(set(f) & t) for f, t in zip(found, truth)) / (len(truth) * k)

    # hnswlib: build on the same threads, search on one.
    data = np.ascontiguousarray(items)
    index = hnswlib.Index(space="ip", dim=a.dims)
    start = time.perf_counter()
    index.init_index(max_elements=len(data), M=a.m, ef_construction=a.ef_construction, random_seed=100)
    index.set_num_threads(a.threads)
    index.add_items(data, np.arange(len(data)))
    hnswlib_build = time.perf_counter() - start
    emit({"what": "hnswlib build", "seconds": round(hnswlib_build, 2), "threads": a.threads})
    index.set_num_threads(1)
    hnswlib_runs = {}
    for ef in efs:
        index.set_ef(max(ef, k))
        start = time.perf_counter()
        labels, _ = index.knn_query(users, k=k, num_threads=1)
        seconds = time.perf_counter() - start
        hnswlib_runs[ef] = {"recall": round(recall(labels.tolist()), 4), "qps": int(len(users) / seconds)}
        emit({"what": "hnswlib search", "ef": ef, **hnswlib_runs[ef]})
    del index, data

    # earshot: the same build, then in-process search.
    if not os.path.exists(indexed):
        out, _ = run([earshot, "snapshot", "index", flat, "--part", "mf", "--out", indexed, "--m", str(a.m),
                      "--ef-construction", str(a.ef_construction), "--threads", str(a.threads)])
        earshot_build = json.loads(out.strip().splitlines()[-1])["build_seconds"]
    else:
        earshot_build = None
    emit({"what": "earshot build", "seconds": earshot_build, "threads": a.threads})
    out, _ = run([earshot, "snapshot", "index-eval", indexed, "--part", "mf", "--ef", a.ef, "--queries", str(a.users)])
    earshot_runs = {}
    for line in out.strip().splitlines():
        r = json.loads(line)
        earshot_runs[r["ef"]] = {"recall": r["recall"], "qps": r["qps"]}
        emit({"what": "earshot search (in-process, one thread)", **r})

    # The daemon over its socket: ANN at each ef against "exact": true.
    sock = os.path.join(a.work, "earshot.sock")
    config = os.path.join(a.work, "earshot.toml")
    with open(config, "w") as f:
        f.write('[scorers]\nenabled = ["mf"]\ndefault = "mf"\n')
    daemon = subprocess.Popen([earshotd, "--config", config, "--socket", sock, "--snapshot", indexed,
                               "--catalogue", os.path.join(a.work, "none.db"), "--log-level", "warning"])
    try:
        for _ in range(600):
            if os.path.exists(sock):
                try:
                    c = socket.socket(socket.AF_UNIX); c.connect(sock); break
                except OSError:
                    pass
            time.sleep(0.1)
        reader = c.makefile("rb")

        def ask(u, **extra):
            req = {"op": "recommend", "scorer": "mf", "user": user_ids[u], "k": k, "exclude_heard": False, **extra}
            c.sendall(json.dumps(req).encode() + b"\n")
            return json.loads(reader.readline())

        n = min(a.socket_queries, len(users))
        socket_runs = {}
        for label, extra in [("exact", {"exact": True})] + [(ef, {"ef": ef}) for ef in efs]:
            for u in range(20):
                ask(u, **extra)
            ms, found = [], []
            for u in range(n):
                start = time.perf_counter()
                r = ask(u, **extra)
                ms.append((time.perf_counter() - start) * 1000)
                found.append([int(i["track"]) for i in r["result"]["items"]])
            rec = sum(len(set(f) & truth[u]) for u, f in enumerate(found)) / (n * k)
            socket_runs[label] = {"p50_ms": round(statistics.median(ms), 3), "recall": round(rec, 4),
                                  "qps_one_connection": int(n / (sum(ms) / 1000))}
            emit({"what": "earshotd recommend over the socket", "mode": label, **socket_runs[label]})
        status = open(f"/proc/{daemon.pid}/status").read()
        rss = {l.split(":")[0]: l.split(":")[1].strip() for l in status.splitlines() if l.startswith(("VmRSS", "VmHWM"))}
        emit({"what": "earshotd memory", **rss})
    finally:
        daemon.terminate()
        daemon.wait()

    summary = {"items": a.items, "dims": a.dims, "hnswlib_build_s": round(hnswlib_build, 2), "earshot_build_s": earshot_build}
    exact_p50 = socket_runs["exact"]["p50_ms"]
    for ef in efs:
        s = socket_runs[ef]
        summary[f"ef{ef}"] = {
            "earshot_recall": earshot_runs[ef]["recall"], "earshot_qps": earshot_runs[ef]["qps"],
            "hnswlib_recall": hnswlib_runs[ef]["recall"], "hnswlib_qps": hnswlib_runs[ef]["qps"],
            "socket_recall": s["recall"], "socket_p50_ms": s["p50_ms"],
            "exact_over_ann_p50": round(exact_p50 / s["p50_ms"], 1)}
    summary["socket_exact_p50_ms"] = exact_p50
    emit({"what": "summary", **summary})


if __name__ == "__main__":
    main()
