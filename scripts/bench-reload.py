#!/usr/bin/env python3
"""Reload under load at scale (README "Performance").

Two synthetic snapshots of the same shape (`earshot snapshot synth`, seeds 1
and 2); the daemon serves one through a `current` link while --clients
connections send `recommend` (mf, k=10) without pause. Each of --reloads
rounds renames a new `current` over the old one (to the other snapshot),
sends SIGHUP and polls `info` until the other snapshot serves: the time from
SIGHUP to serving. At the end: failed requests, and the daemon's peak RSS
over its whole life (VmHWM, mapped pages included) against the size of one
snapshot's files.

    scripts/bench-reload.py BIN_DIR WORK_DIR [--items 1000000] [--dims 64]
        [--users 1000] [--clients 8] [--reloads 10]

BIN_DIR holds release `earshot` and `earshotd`. Prints one JSON object;
exits 1 when a request failed or a reload did not serve within 30 s.
"""
import argparse, json, os, random, signal, socket, statistics, subprocess, sys, threading, time


def connect(path):
    client = socket.socket(socket.AF_UNIX)
    client.connect(path)
    return client, client.makefile("rb")


def ask(client, reader, body):
    client.sendall((json.dumps(body) + "\n").encode())
    line = reader.readline()
    return json.loads(line) if line else None


def memory_facts(pid):
    facts = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                facts[key] = int(value.split()[0]) * 1024
    return facts


def folder_bytes(path):
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)


def point_current(snapshots, target):
    link = os.path.join(snapshots, ".current.new")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(target, link)
    os.rename(link, os.path.join(snapshots, "current"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("bin")
    p.add_argument("work")
    p.add_argument("--items", type=int, default=1_000_000)
    p.add_argument("--dims", type=int, default=64)
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--reloads", type=int, default=10)
    args = p.parse_args()

    snapshots = os.path.join(args.work, "snapshots")
    os.makedirs(snapshots, exist_ok=True)
    ids = {}
    for name, seed in (("a", 1), ("b", 2)):
        folder = os.path.join(snapshots, name)
        if not os.path.exists(folder):
            subprocess.run([f"{args.bin}/earshot", "snapshot", "synth", "--items", str(args.items), "--dims",
                            str(args.dims), "--users", str(args.users), "--seed", str(seed), "--out", folder],
                           check=True, capture_output=True)
        with open(os.path.join(folder, "manifest.json")) as manifest:
            ids[name] = json.load(manifest)["id"]
    with open(os.path.join(snapshots, "a", "mf", "users.txt")) as names:
        users = [line.rstrip("\n") for line in names if line.strip()]
    point_current(snapshots, "a")

    sock = os.path.join(args.work, "earshot.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    log = open(os.path.join(args.work, "earshotd.log"), "w")
    daemon = subprocess.Popen([f"{args.bin}/earshotd", "--socket", sock, "--catalogue",
                               os.path.join(args.work, "no-catalogue.db"), "--snapshot",
                               os.path.join(snapshots, "current")], stderr=log)
    try:
        for _ in range(600):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        control, control_reader = connect(sock)

        stop = threading.Event()
        counts = {"requests": 0, "failed": 0}
        examples = []
        lock = threading.Lock()

        def client_loop(index):
            rng = random.Random(index)
            client, reader = connect(sock)
            while not stop.is_set():
                answer = ask(client, reader, {"op": "recommend", "scorer": "mf", "user": rng.choice(users), "k": 10,
                                              "exclude_heard": False})
                with lock:
                    counts["requests"] += 1
                    if not answer or not answer.get("ok") or len(answer["result"]["items"]) != 10:
                        counts["failed"] += 1
                        if len(examples) < 3:
                            examples.append(answer)
                        if not answer:
                            client, reader = connect(sock)

        peaks = {"RssAnon": 0, "RssFile": 0}

        def sample_memory():
            while not stop.is_set():
                for key, value in memory_facts(daemon.pid).items():
                    if key in peaks:
                        peaks[key] = max(peaks[key], value)
                time.sleep(0.02)

        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(args.clients)]
        threads.append(threading.Thread(target=sample_memory))
        for thread in threads:
            thread.start()
        time.sleep(2)
        times, stuck = [], 0
        serving = "a"
        for _ in range(args.reloads):
            target = "b" if serving == "a" else "a"
            point_current(snapshots, target)
            sent = time.monotonic()
            daemon.send_signal(signal.SIGHUP)
            while True:
                info = ask(control, control_reader, {"op": "info"})
                if info["result"]["snapshot"]["id"] == ids[target]:
                    times.append(time.monotonic() - sent)
                    serving = target
                    break
                if time.monotonic() - sent > 30:
                    stuck += 1
                    break
                time.sleep(0.005)
            time.sleep(1)
        stop.set()
        for thread in threads:
            thread.join()
        memory = memory_facts(daemon.pid)
        size = folder_bytes(os.path.join(snapshots, "a"))
        report = {
            "shape": [args.items, args.dims], "clients": args.clients, "reloads": len(times), "stuck": stuck,
            "sighup_to_serving_s": {"p50": round(statistics.median(times), 3) if times else None,
                                    "max": round(max(times), 3) if times else None},
            "requests": counts["requests"], "failed": counts["failed"], "examples": examples,
            "vmhwm_mb": round(memory["VmHWM"] / 2**20, 1), "vmrss_mb": round(memory["VmRSS"] / 2**20, 1),
            "peak_anon_mb": round(peaks["RssAnon"] / 2**20, 1), "peak_file_mb": round(peaks["RssFile"] / 2**20, 1),
            "snapshot_mb": round(size / 2**20, 1), "vmhwm_to_snapshot": round(memory["VmHWM"] / size, 2),
        }
        print(json.dumps(report, indent=2))
        return 1 if counts["failed"] or stuck else 0
    finally:
        daemon.terminate()
        daemon.wait()


if __name__ == "__main__":
    sys.exit(main())
