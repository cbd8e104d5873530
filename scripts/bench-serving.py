#!/usr/bin/env python3
"""Serving at scale, side by side in one run (README "Performance").

  throughput  16 connections sending `recommend` (mf, k=10, exclude_heard
              false) for different users for --seconds, against the daemon
              under test (--socket) and optionally an older build (--old-socket),
              and faiss IndexFlatIP.search in batches of 16/32/64 on 2 threads;
              every answer is checked against faiss's exact top-10.
  latency     one connection, sequential: p50 against faiss single-query
              (one thread), and the share of identical top-10 lists.
  heavy       (--catalogue-socket) `similar` with 10,000 seeds, strategy max,
              on the content scorer over the real catalogue, and meanwhile a
              `recommend` on another connection.
  ping        (--earshot) `earshot bench --connections 8 --pipeline 16` against
              `redis-benchmark -s SOCK -P 16 -c 8 PING_INLINE` on a redis-server
              this script starts on a Unix socket.

usage: bench-serving.py --snapshot DIR --socket S [--old-socket S2] [--seconds 20]
         [--catalogue-socket S3 --tracks-csv CSV] [--earshot BIN]
needs: pip install faiss-cpu numpy; apt-get install redis-server (for ping)
"""
import argparse, csv, json, os, selectors, shutil, socket, statistics, subprocess, tempfile, threading, time

import faiss
import numpy as np


def connect(path):
    client = socket.socket(socket.AF_UNIX)
    client.connect(path)
    return client, client.makefile("rb")


def recommend_line(user, k):
    return (json.dumps({"op": "recommend", "scorer": "mf", "user": user, "k": k, "exclude_heard": False}) + "\n").encode()


def tracks_of(response):
    return [item["track"] for item in response["result"]["items"]]


def p(values, q):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def throughput(path, user_ids, expected, seconds, connections, k):
    """Each connection sends the next user's request when its answer is in; every answer is checked."""
    selector = selectors.DefaultSelector()
    state = []
    cursor = [0]

    def send(index):
        conn = state[index]
        u = cursor[0] % len(user_ids)
        cursor[0] += 1
        conn["user"] = u
        conn["sent"] = time.perf_counter()
        conn["sock"].sendall(recommend_line(user_ids[u], k))

    for index in range(connections):
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(path)
        sock.setblocking(True)
        state.append({"sock": sock, "buffer": b"", "user": 0, "sent": 0.0})
        selector.register(sock, selectors.EVENT_READ, index)
    latencies, wrong, failed = [], 0, 0
    start = time.perf_counter()
    deadline = start + seconds
    for index in range(connections):
        send(index)
    open_count = connections
    while open_count:
        for key, _ in selector.select(timeout=5):
            index = key.data
            conn = state[index]
            chunk = conn["sock"].recv(1 << 16)
            if not chunk:
                raise SystemExit("the daemon closed a connection")
            conn["buffer"] += chunk
            while b"\n" in conn["buffer"]:
                line, conn["buffer"] = conn["buffer"].split(b"\n", 1)
                now = time.perf_counter()
                latencies.append((now - conn["sent"]) * 1000)
                response = json.loads(line)
                if not response.get("ok"):
                    failed += 1
                elif tracks_of(response) != expected[conn["user"]]:
                    wrong += 1
                if now < deadline:
                    send(index)
                else:
                    selector.unregister(conn["sock"])
                    conn["sock"].close()
                    open_count -= 1
    elapsed = time.perf_counter() - start
    return {
        "requests": len(latencies), "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": p(latencies, 0.5), "p99_ms": p(latencies, 0.99), "wrong_topk": wrong, "failed": failed,
    }


def sequential(path, user_ids, expected, count, k):
    client, reader = connect(path)
    for u in range(20):  # warm up
        client.sendall(recommend_line(user_ids[u], k))
        reader.readline()
    times, same = [], 0
    for u in range(count):
        start = time.perf_counter()
        client.sendall(recommend_line(user_ids[u], k))
        response = json.loads(reader.readline())
        times.append((time.perf_counter() - start) * 1000)
        same += tracks_of(response) == expected[u]
    client.close()
    return {"p50_ms": round(statistics.median(times), 3), "p99_ms": p(times, 0.99), "identical_topk": f"{same}/{count}"}


def faiss_figures(index, users, k, seconds):
    faiss.omp_set_num_threads(1)
    single = []
    for u in range(min(200, len(users))):
        start = time.perf_counter()
        index.search(users[u : u + 1], k)
        single.append((time.perf_counter() - start) * 1000)
    faiss.omp_set_num_threads(2)
    batched = {}
    for size in (16, 32, 64):
        done, offset = 0, 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            if offset + size > len(users):
                offset = 0
            index.search(users[offset : offset + size], k)
            offset += size
            done += size
        batched[size] = round(done / (time.perf_counter() - start), 1)
    return {"single_p50_ms": round(statistics.median(single), 3), "batched_qps": batched, "best_batched_qps": max(batched.values())}


def heavy(path, csv_path, seeds_count):
    ids, seen = [], set()
    with open(csv_path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["track_id"] not in seen:
                seen.add(row["track_id"])
                ids.append(row["track_id"])
    seeds = ids[:seeds_count]
    history = [{"track": t} for t in ids[-5:]]
    result = {}

    def run_similar():
        client, reader = connect(path)
        start = time.perf_counter()
        client.sendall((json.dumps({"op": "similar", "scorer": "content", "tracks": seeds, "strategy": "max", "k": 10}) + "\n").encode())
        response = json.loads(reader.readline())
        result["similar_s"] = round(time.perf_counter() - start, 3)
        result["similar_ok"] = bool(response.get("ok")) and len(response["result"]["items"]) == 10
        if not response.get("ok"):
            result["similar_error"] = response.get("error")
        client.close()

    other, other_reader = connect(path)
    line = (json.dumps({"op": "recommend", "scorer": "content", "history": history, "k": 10}) + "\n").encode()
    other.sendall(line)
    other_reader.readline()  # warm up
    thread = threading.Thread(target=run_similar)
    thread.start()
    time.sleep(0.1)
    latencies = []
    while thread.is_alive() and len(latencies) < 20:
        start = time.perf_counter()
        other.sendall(line)
        ok = json.loads(other_reader.readline()).get("ok")
        latencies.append((time.perf_counter() - start) * 1000)
        if not ok:
            result["recommend_failed"] = True
    thread.join()
    other.close()
    result["recommend_meanwhile_ms"] = {"count": len(latencies), "max": round(max(latencies), 2) if latencies else None,
                                        "p50": round(statistics.median(latencies), 2) if latencies else None}
    return result


def ping(earshot, socket_path, seconds):
    work = tempfile.mkdtemp(prefix="earshot-ping-")
    redis_socket = os.path.join(work, "redis.sock")
    redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", redis_socket, "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(redis_socket):
                break
            time.sleep(0.05)
        bench = subprocess.run([earshot, "bench", "--socket", socket_path, "--connections", "8", "--pipeline", "16",
                                "--duration", str(seconds)], capture_output=True, text=True, check=True)
        ours = json.loads(bench.stdout.strip().splitlines()[-1])["throughput_rps"]
        out = subprocess.run(["redis-benchmark", "-s", redis_socket, "-P", "16", "-c", "8", "-n", "4000000", "-q", "-t", "ping_inline"],
                             capture_output=True, text=True, check=True).stdout
        theirs = float(out.split("requests per second")[0].replace("\r", "\n").split("\n")[-1].split(":")[-1].strip())
    finally:
        redis.terminate()
        redis.wait()
        shutil.rmtree(work, ignore_errors=True)
    return {"earshot_rps": ours, "redis_rps": theirs, "ratio": round(ours / theirs, 3)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--snapshot", required=True)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--old-socket")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--catalogue-socket")
    parser.add_argument("--tracks-csv", default="../shared/data/spotify-tracks/tracks.csv")
    parser.add_argument("--earshot", help="earshot binary, for the ping comparison")
    args = parser.parse_args()
    report = {}

    items = np.load(f"{args.snapshot}/mf/item_factors.npy", mmap_mode="r")
    users = np.ascontiguousarray(np.load(f"{args.snapshot}/mf/user_factors.npy"))
    item_ids = open(f"{args.snapshot}/mf/items.txt").read().split("\n")
    user_ids = open(f"{args.snapshot}/mf/users.txt").read().split("\n")[: users.shape[0]]
    index = faiss.IndexFlatIP(items.shape[1])
    index.add(np.ascontiguousarray(items))
    faiss.omp_set_num_threads(2)
    _, found = index.search(users, args.k)
    expected = [[item_ids[i] for i in row] for row in found]
    report["shape"] = list(items.shape)

    report["faiss"] = faiss_figures(index, users, args.k, seconds=min(5.0, args.seconds / 4))
    report["earshot_sequential"] = sequential(args.socket, user_ids, expected, 200, args.k)
    report["earshot_sequential"]["ratio_to_faiss_single"] = round(
        report["earshot_sequential"]["p50_ms"] / report["faiss"]["single_p50_ms"], 3)
    report["earshot_concurrent"] = throughput(args.socket, user_ids, expected, args.seconds, args.connections, args.k)
    report["earshot_concurrent"]["ratio_to_faiss_batched"] = round(
        report["earshot_concurrent"]["throughput_rps"] / report["faiss"]["best_batched_qps"], 3)
    if args.old_socket:
        report["old_concurrent"] = throughput(args.old_socket, user_ids, expected, args.seconds, args.connections, args.k)
        report["earshot_concurrent"]["ratio_to_old"] = round(
            report["earshot_concurrent"]["throughput_rps"] / report["old_concurrent"]["throughput_rps"], 3)
    if args.catalogue_socket:
        report["heavy_similar"] = heavy(args.catalogue_socket, args.tracks_csv, 10_000)
    if args.earshot:
        report["ping_pipelined"] = ping(args.earshot, args.socket, 5)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
