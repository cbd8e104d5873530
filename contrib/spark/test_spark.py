#!/usr/bin/env python3
"""`make test-spark`: the Spark trainer end to end on the Last.fm split.

    test_spark.py --bin DIR --split DIR [--master local[2]] [--work DIR]

1. trains with `train_als.py` on `local[2]` and with `earshot train mf
   --factors 64` (defaults otherwise), timing both;
2. `earshot snapshot info` verifies both (sizes, SHA-256, tensors);
3. `compare_snapshots.py --same-rows`: same files, dtypes, shapes, manifest
   keys, id lists and training rows; only tensor values differ; and the
   Spark snapshot's user vectors are what the daemon's fold-in computes from
   its manifest (relative error < 1e-3);
4. `earshot eval` on both: ndcg@10 within 0.02;
5. the real `earshotd` serves the Spark snapshot through a `current` symlink:
   `recommend` for a known user, for a short folded-in history, and for the
   same user's training history folded in (the same top 10 as their trained
   vector); SIGTERM ends it with status 0.

Prints each check as it passes and ends with `N passed, N failed`.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare_snapshots  # noqa: E402

NDCG_TOLERANCE = 0.02


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def expect(self, condition, what):
        if condition:
            self.passed += 1
            print(f"ok: {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAILED: {what}", flush=True)
        return condition


def run(command, **options):
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, **options)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
    return result, seconds


def last_json(text):
    lines = [line for line in text.splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else {}


def training_history(train_tsv, user):
    history = []
    with open(train_tsv, encoding="utf-8") as file:
        next(file)
        for line in file:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == user:
                history.append({"track": fields[1], "weight": float(fields[2])})
    return history


class Daemon:
    """A real earshotd on a socket in `folder`."""

    def __init__(self, binaries, folder, snapshot):
        self.socket = os.path.join(folder, "earshot.sock")
        self.log = open(os.path.join(folder, "earshotd.log"), "w")
        self.process = subprocess.Popen(
            [os.path.join(binaries, "earshotd"), "--socket", self.socket,
             "--catalogue", os.path.join(folder, "no-catalogue.db"), "--snapshot", snapshot],
            stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.request({"op": "ping"}).get("ok"):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"earshotd did not start; see {self.log.name}")

    def request(self, body):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(60)
            connection.connect(self.socket)
            connection.sendall(json.dumps(body).encode() + b"\n")
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = connection.recv(1 << 16)
                if not chunk:
                    break
                answer += chunk
        return json.loads(answer)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.log.close()


def tracks(response):
    return [item["track"] for item in response.get("result", {}).get("items", [])]


def main(argv=None):
    parser = argparse.ArgumentParser(description="make test-spark")
    parser.add_argument("--bin", required=True, help="folder with earshot and earshotd")
    parser.add_argument("--split", required=True, help="folder with the Last.fm train.tsv and test.tsv")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--work", help="keep everything in this folder (default: a temporary one, removed)")
    arguments = parser.parse_args(argv)
    train_tsv, test_tsv = os.path.join(arguments.split, "train.tsv"), os.path.join(arguments.split, "test.tsv")
    earshot = os.path.join(arguments.bin, "earshot")
    work = arguments.work or tempfile.mkdtemp(prefix="earshot-test-spark-")
    os.makedirs(work, exist_ok=True)
    checks = Checks()
    spark_snapshot, mf_snapshot = os.path.join(work, "spark"), os.path.join(work, "mf")
    try:
        result, spark_seconds = run([sys.executable, os.path.join(HERE, "train_als.py"), train_tsv, "--out", spark_snapshot,
                                     "--master", arguments.master])
        if not checks.expect(result.returncode == 0, f"train_als.py --master {arguments.master} wrote {spark_snapshot}"):
            return 1
        spark_summary = last_json(result.stdout)
        result, mf_seconds = run([earshot, "train", "mf", "--interactions", train_tsv, "--out", mf_snapshot, "--factors", "64"])
        if not checks.expect(result.returncode == 0, f"earshot train mf --factors 64 wrote {mf_snapshot}"):
            return 1
        mf_summary = last_json(result.stdout)
        print(json.dumps({"training": {
            "spark": {"master": arguments.master, "process_seconds": round(spark_seconds, 2),
                      "als_fit_seconds": spark_summary.get("train_seconds")},
            "earshot_train_mf": {"process_seconds": round(mf_seconds, 2)},
            "users": spark_summary.get("users"), "items": spark_summary.get("items"),
            "interactions": spark_summary.get("interactions")}}), flush=True)
        checks.expect([spark_summary.get(k) for k in ("users", "items", "interactions")]
                      == [mf_summary.get(k) for k in ("users", "items", "interactions")],
                      f"both saw the same data: {spark_summary.get('users')} users, {spark_summary.get('items')} items, "
                      f"{spark_summary.get('interactions')} interactions")

        for path in (spark_snapshot, mf_snapshot):
            result, _ = run([earshot, "snapshot", "info", path])
            checks.expect(result.returncode == 0 and last_json(result.stdout).get("id"),
                          f"earshot snapshot info verifies {os.path.basename(path)}")

        problems = compare_snapshots.structural_differences(spark_snapshot, mf_snapshot, same_rows=True)
        for problem in problems:
            print(f"  {problem}")
        checks.expect(not problems, "the Spark and earshot snapshots differ only in tensor values "
                                    "(same files, dtypes, shapes, manifest keys, id lists and training rows)")
        spark_error = compare_snapshots.fold_in_error(spark_snapshot)
        mf_error = compare_snapshots.fold_in_error(mf_snapshot)
        print(json.dumps({"fold_in_relative_error": {"spark": spark_error, "earshot_train_mf": mf_error}}), flush=True)
        checks.expect(spark_error < 1e-3,
                      f"the daemon's fold-in formula with the manifest's λ·n^1 and alpha gives back Spark's user vectors "
                      f"(relative error {spark_error:.2e})")

        ndcg = {}
        for name, path in (("spark", spark_snapshot), ("earshot_train_mf", mf_snapshot)):
            result, seconds = run([earshot, "eval", "--snapshot", path, "--scorer", "mf", "--train", train_tsv,
                                   "--test", test_tsv, "--k", "10"])
            checks.expect(result.returncode == 0, f"earshot eval on the {name} snapshot")
            metrics = last_json(result.stdout)
            print(json.dumps({"eval": name, **metrics}), flush=True)
            ndcg[name] = metrics.get("ndcg@10", float("nan"))
        checks.expect(abs(ndcg["spark"] - ndcg["earshot_train_mf"]) <= NDCG_TOLERANCE,
                      f"ndcg@10 Spark {ndcg['spark']:.4f} vs earshot train mf {ndcg['earshot_train_mf']:.4f}: "
                      f"within {NDCG_TOLERANCE}")

        # Served as a deployment would: through a `current` symlink.
        snapshots = os.path.join(work, "snapshots")
        os.makedirs(snapshots, exist_ok=True)
        os.symlink(spark_snapshot, os.path.join(snapshots, "current"))
        daemon = Daemon(arguments.bin, work, os.path.join(snapshots, "current"))
        try:
            info = daemon.request({"op": "info"})
            served = info.get("result", {}).get("snapshot") or {}
            checks.expect(served.get("id") == spark_summary.get("id"), f"the daemon serves snapshot {served.get('id')}")
            known = daemon.request({"op": "recommend", "user": "2", "scorer": "mf", "k": 10})
            heard = training_history(train_tsv, "2")
            checks.expect(len(tracks(known)) == 10 and not set(tracks(known)) & {h["track"] for h in heard},
                          f"recommend for known user 2: {tracks(known)}, none of their {len(heard)} training items")
            short = daemon.request({"op": "recommend", "history": ["289", "292", "498"], "scorer": "mf", "k": 10})
            checks.expect(len(tracks(short)) == 10 and not set(tracks(short)) & {"289", "292", "498"},
                          f"recommend for a folded-in history [289, 292, 498]: {tracks(short)}")
            folded = daemon.request({"op": "recommend", "history": heard, "scorer": "mf", "k": 10})
            checks.expect(tracks(folded) == tracks(known),
                          "user 2's training history folded in by the daemon gives their trained top 10")
        finally:
            status = daemon.stop()
        checks.expect(status == 0, "earshotd exits 0 on SIGTERM")
    finally:
        if not arguments.work:
            shutil.rmtree(work, ignore_errors=True)
        print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
