#!/usr/bin/env python3
"""Train Earshot's `mf` scorer with Apache Spark MLlib and write a snapshot.

    train_als.py INTERACTIONS --out DIR [--rank R] [--reg L] [--alpha A]
                 [--iterations N] [--master URL] [--format auto|tsv|csv|parquet]

INTERACTIONS is any path Spark reads (a file, a directory of part files,
hdfs://, s3a://): `user,item,weight` rows as TSV or CSV with a header line, or
Parquet with columns `user`, `item`, `weight` (`earshot export interactions`
writes the TSV). A (user, item) pair given more than once is one interaction
with the weights added, as in `earshot train mf`.

The model is the one `earshot train mf` trains, so the daemon serves and folds
in its snapshot unchanged (docs/SCALING.md, "Training on Spark"):

* confidence `c = 1 + alpha * ln(1 + w / s)`, `s` the geometric mean of the
  user's weights: Spark's implicit ALS uses `c = 1 + alpha * r`, so it is given
  `r = ln(1 + w / s)`; the manifest says `relative_weights = 1`;
* Spark regularizes a row with `n` interactions by `regParam * n` (ALS-WR), so
  the manifest says `regularization = L` and `regularization_exponent = 1`;
* Spark solves each row exactly (Cholesky) and updates users last, so folding
  in a training user's own items in the daemon gives back their vector;
  `cg_steps = 0` in the manifest says no conjugate-gradient steps were used.

Users and items are numbered in order of first appearance in the input as
Spark reads it (for a single file: file order, like `earshot train mf`),
with distributed aggregations; the driver never holds the interactions. It
streams the id lists, the factors and the training rows (CSR, in user order)
out of the partitions one at a time into `.npy` files, hashing as it writes,
in a temporary sibling of DIR that is fsynced and renamed into place.

The last line of stdout is a JSON summary like `earshot train mf`'s:
`{"snapshot": …, "id": …, "users": …, "items": …, "interactions": …, "seconds": …}`.
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import shutil
import struct
import sys
import tempfile
import time
import uuid

# One place for the snapshot layout `earshot train mf` writes (README, "Training
# and evaluation"): the part's name and files, the manifest's format and version.
PART = "mf"
MANIFEST_FORMAT = "earshot-snapshot"
MANIFEST_VERSION = 1

DEFAULT_RANK = 64
DEFAULT_ITERATIONS = 15
DEFAULT_ALPHA = 8.0
# Spark's λ in λ·n. Not tuned yet: the one value tried, it matches `earshot
# train mf`'s quality on the Last.fm split (docs/SCALING.md).
DEFAULT_REGULARIZATION = 0.5
DEFAULT_SEED = 42


class TrainerError(Exception):
    """A problem with the input or the destination, said so the user can act."""


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="train_als.py",
        description="Train Earshot's mf scorer (implicit ALS) on Apache Spark and write an Earshot snapshot.")
    parser.add_argument("interactions", metavar="INTERACTIONS",
                        help="user,item,weight rows: TSV/CSV with a header line, or Parquet (any path Spark reads)")
    parser.add_argument("--out", required=True, metavar="DIR", help="snapshot directory to write; must not exist yet")
    parser.add_argument("--rank", type=int, default=DEFAULT_RANK, metavar="R", help="latent factors (default %(default)s)")
    parser.add_argument("--reg", type=float, default=DEFAULT_REGULARIZATION, metavar="L",
                        help="Spark's regParam λ; a row with n interactions gets λ·n (default %(default)s)")
    parser.add_argument("--alpha", type=float, default=DEFAULT_ALPHA, metavar="A",
                        help="confidence slope: c = 1 + A·ln(1 + w/s) (default %(default)s)")
    parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS, metavar="N",
                        help="ALS iterations (default %(default)s)")
    parser.add_argument("--master", metavar="URL",
                        help="Spark master: local[N], spark://host:7077, yarn, k8s://… (default: spark-submit's, else local[*])")
    parser.add_argument("--format", choices=["auto", "tsv", "csv", "parquet"], default="auto",
                        help="input format; auto goes by the name: .parquet/.pq or a folder of them, .csv, else TSV")
    parser.add_argument("--blocks", type=int, default=0, metavar="B",
                        help="ALS user and item blocks (default: Spark's default parallelism)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the initial factors (default %(default)s)")
    parser.add_argument("--checkpoint-dir", metavar="PATH",
                        help="Spark checkpoint directory, cutting ALS's lineage every 5 iterations (without it the lineage "
                             "of many iterations overflows the stack); on a cluster a shared path (hdfs://…); default "
                             "with a local master: a temporary folder")
    arguments = parser.parse_args(argv)
    if not 1 <= arguments.rank <= 4096:
        parser.error(f"--rank must be 1…4096, found {arguments.rank}")
    if not 1 <= arguments.iterations <= 10000:
        parser.error(f"--iterations must be 1…10000, found {arguments.iterations}")
    if not (math.isfinite(arguments.reg) and arguments.reg > 0):
        parser.error(f"--reg must be a number > 0, found {arguments.reg}")
    if not (math.isfinite(arguments.alpha) and arguments.alpha >= 0):
        parser.error(f"--alpha must be a number ≥ 0, found {arguments.alpha}")
    if arguments.blocks < 0:
        parser.error("--blocks must be ≥ 0")
    return arguments


# ---------------------------------------------------------------- destination

def check_destination(path):
    """Refuses an existing DIR (an empty folder is replaced), before any work."""
    if os.path.lexists(path) and not (os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path)):
        raise TrainerError(f"{path} already exists; snapshots are never changed in place: choose a new directory or remove it")


class SnapshotDirectory:
    """A snapshot built in a temporary sibling of its destination, every file
    hashed as it is written, fsynced and renamed into place by `commit`."""

    def __init__(self, destination):
        self.destination = os.path.abspath(destination)
        parent = os.path.dirname(self.destination)
        os.makedirs(parent, exist_ok=True)
        self.temporary = os.path.join(
            parent, f".{os.path.basename(self.destination)}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        os.mkdir(self.temporary)
        os.mkdir(os.path.join(self.temporary, PART))
        self.entries = {}

    def open(self, leaf):
        return HashingFile(self, f"{PART}/{leaf}")

    def commit(self, scorers, now):
        listing = "".join(f"{name} {entry['sha256']}\n" for name, entry in sorted(self.entries.items()))
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        manifest = {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "id": stamp + "-" + hashlib.sha256(listing.encode()).hexdigest()[:8],
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "scorers": scorers,
            "files": self.entries,
        }
        text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        write_durably(os.path.join(self.temporary, "manifest.json"), text.encode())
        sync_directory(os.path.join(self.temporary, PART))
        sync_directory(self.temporary)
        if os.path.isdir(self.destination) and not os.path.islink(self.destination) and not os.listdir(self.destination):
            os.rmdir(self.destination)
        os.rename(self.temporary, self.destination)
        sync_directory(os.path.dirname(self.destination))
        return manifest

    def discard(self):
        if os.path.isdir(self.temporary):
            for root, folders, files in os.walk(self.temporary, topdown=False):
                for name in files:
                    os.unlink(os.path.join(root, name))
                for name in folders:
                    os.rmdir(os.path.join(root, name))
            os.rmdir(self.temporary)


class HashingFile:
    """A new file of the snapshot; its size and SHA-256 go to the manifest on close."""

    def __init__(self, snapshot, name):
        self.snapshot = snapshot
        self.name = name
        self.file = open(os.path.join(snapshot.temporary, name), "xb", buffering=1 << 20)
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.file.write(data)
        self.digest.update(data)
        self.size += len(data)

    def close(self):
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        self.snapshot.entries[self.name] = {"sha256": self.digest.hexdigest(), "size": self.size}

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.close()
        else:
            self.file.close()


def write_durably(path, data):
    with open(path, "xb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def sync_directory(path):
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def npy_header(descr, shape):
    """The `.npy` 1.0 header `earshot` writes: C order, data on a 64-byte boundary."""
    shape_text = f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(str(d) for d in shape) + ")"
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1")


# ---------------------------------------------------------------- Spark side

def start_spark(master):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("earshot-train-als").config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    if (master or "local").startswith("local"):
        # Everything stays on this host: the driver on loopback, no web UI,
        # and as many shuffle partitions as there are cores, not 200.
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        builder = builder.config("spark.ui.enabled", "false")
        cores = (master or "local[*]").partition("[")[2].partition("]")[0].partition(",")[0]
        builder = builder.config("spark.sql.shuffle.partitions", cores if cores.isdigit() else str(os.cpu_count() or 2))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def input_format(path, requested):
    if requested != "auto":
        return requested
    lowered = path.rstrip("/").lower()
    if lowered.endswith((".parquet", ".pq")):
        return "parquet"
    if os.path.isdir(path) and any(name.endswith(".parquet") for name in os.listdir(path)):
        return "parquet"
    return "csv" if lowered.endswith(".csv") else "tsv"


def read_interactions(spark, path, fmt):
    """`(user, item, weight)` rows as strings and a double, checked: ids
    non-empty and on one line, weights finite and > 0."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    if fmt == "parquet":
        frame = spark.read.parquet(path)
        missing = {"user", "item", "weight"} - set(frame.columns)
        if missing:
            raise TrainerError(f"{path}: Parquet input needs columns user, item, weight; missing {', '.join(sorted(missing))}")
        frame = frame.select(F.col("user").cast("string"), F.col("item").cast("string"), F.col("weight").cast("string"))
    else:
        # The first three columns by position, whatever the header calls them.
        schema = StructType([StructField(name, StringType()) for name in ("user", "item", "weight")])
        frame = spark.read.csv(path, sep="\t" if fmt == "tsv" else ",", header=True, schema=schema,
                               mode="FAILFAST", ignoreLeadingWhiteSpace=False, ignoreTrailingWhiteSpace=False)
    frame = frame.withColumn("w", F.trim(F.col("weight")).cast("double"))
    bad = frame.where(
        F.col("user").isNull() | (F.col("user") == "") | F.col("user").contains("\n")
        | F.col("item").isNull() | (F.col("item") == "") | F.col("item").contains("\n")
        | F.col("w").isNull() | F.isnan("w") | (F.col("w") <= 0) | (F.col("w") == float("inf")))
    example = bad.limit(1).collect()
    if example:
        row = example[0]
        raise TrainerError(
            f"{path}: bad row user={row['user']!r} item={row['item']!r} weight={row['weight']!r}: ids must be non-empty "
            "without line breaks and the weight a finite number > 0")
    return frame.select("user", "item", "w")


def numbered(frame, column, position):
    """`(column, index)`: each distinct value numbered 0… by its first position."""
    from pyspark.sql.types import LongType, StructField, StructType

    firsts = frame.groupBy(column).agg({position: "min"}).withColumnRenamed(f"min({position})", "first")
    # zipWithIndex numbers a sorted RDD without moving it to one place: one
    # job counts each partition, the next adds the offsets.
    indexed = firsts.orderBy("first").rdd.zipWithIndex().map(lambda pair: (pair[0][0], pair[1]))
    schema = StructType([StructField(column, frame.schema[column].dataType, False), StructField("index", LongType(), False)])
    return frame.sparkSession.createDataFrame(indexed, schema)


def prepare(spark, path, fmt, alpha, storage):
    """The training rows `(u, i, w, r, c)` (one per user and item), the
    numbered users and items and their counts."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    raw = read_interactions(spark, path, fmt).withColumn("pos", F.monotonically_increasing_id()).persist(storage)
    users = numbered(raw, "user", "pos").persist(storage)
    items = numbered(raw, "item", "pos").persist(storage)
    user_count, item_count = users.count(), items.count()
    if user_count == 0:
        raise TrainerError(f"{path} has no interactions")
    if max(user_count, item_count) >= 2**31:
        raise TrainerError("Spark's ALS numbers users and items with 32-bit integers: more than 2^31 − 1 of either")
    joined = (raw.join(users.withColumnRenamed("index", "u"), "user")
                 .join(items.withColumnRenamed("index", "i"), "item"))
    # `earshot train mf` keeps weights as float32: so does this, so equal inputs give equal confidences.
    pairs = joined.groupBy("u", "i").agg(F.sum(F.col("w").cast("float")).cast("float").alias("w"))
    # s = the user's geometric-mean weight; r = ln(1 + w/s), so Spark's 1 + α·r is the daemon's confidence.
    scale = F.exp(F.avg(F.log(F.col("w").cast("double"))).over(Window.partitionBy("u")))
    rows = (pairs.withColumn("r", F.log1p(F.col("w").cast("double") / scale))
                 .withColumn("c", (F.lit(1.0) + F.lit(alpha) * F.col("r")).cast("float"))
                 .select(F.col("u").cast("int"), F.col("i").cast("int"), "w", "r", "c")
                 .persist(storage))
    interactions = rows.count()
    raw.unpersist()
    return rows, users, items, user_count, item_count, interactions


def train(rows, arguments, storage_name):
    from pyspark.ml.recommendation import ALS

    blocks = arguments.blocks or rows.sparkSession.sparkContext.defaultParallelism
    als = ALS(rank=arguments.rank, maxIter=arguments.iterations, regParam=arguments.reg, alpha=arguments.alpha,
              implicitPrefs=True, nonnegative=False, userCol="u", itemCol="i", ratingCol="r", seed=arguments.seed,
              numUserBlocks=blocks, numItemBlocks=blocks, intermediateStorageLevel=storage_name,
              finalStorageLevel=storage_name, checkpointInterval=5)
    return als.fit(rows.select("u", "i", "r"))


# ---------------------------------------------------------------- streaming out

def write_ids(snapshot, leaf, numbered_ids, column, expected):
    """`users.txt` / `items.txt`: one id per line in index order."""
    with snapshot.open(leaf) as out:
        count = 0
        for row in numbered_ids.orderBy("index").toLocalIterator(prefetchPartitions=True):
            if row["index"] != count:
                raise TrainerError(f"internal: {leaf} numbering has a gap at {count}")
            out.write(row[column].encode("utf-8") + b"\n")
            count += 1
    if count != expected:
        raise TrainerError(f"internal: {leaf} has {count} ids, expected {expected}")


def write_factors(snapshot, leaf, factors, count, rank):
    """A `count × rank` float32 matrix from Spark's `(id, features)` rows."""
    pack = struct.Struct(f"<{rank}f").pack
    with snapshot.open(leaf) as out:
        out.write(npy_header("<f4", [count, rank]))
        expected = 0
        for row in factors.orderBy("id").toLocalIterator(prefetchPartitions=True):
            if row["id"] != expected:
                raise TrainerError(f"internal: Spark returned no factors for row {expected} of {leaf}")
            out.write(pack(*row["features"]))
            expected += 1
    if expected != count:
        raise TrainerError(f"internal: Spark returned {expected} rows of {leaf}, expected {count}")


def write_training_rows(snapshot, rows, user_count, interactions):
    """The CSR the daemon filters heard items with (`user_items_indptr`,
    `_indices` int64 and `_data`, the float32 confidences), streamed from the
    user-ordered partitions one at a time."""
    with snapshot.open("user_items_indptr.npy") as indptr, \
            snapshot.open("user_items_indices.npy") as indices, \
            snapshot.open("user_items_data.npy") as data:
        indptr.write(npy_header("<i8", [user_count + 1]))
        indices.write(npy_header("<i8", [interactions]))
        data.write(npy_header("<f4", [interactions]))
        position, user = 0, 0
        indptr.write(struct.pack("<q", 0))
        column_buffer, value_buffer = [], []
        previous = (-1, -1)
        for row in rows.select("u", "i", "c").orderBy("u", "i").toLocalIterator(prefetchPartitions=True):
            if (row["u"], row["i"]) <= previous:
                raise TrainerError("internal: training rows did not arrive in user, item order")
            previous = (row["u"], row["i"])
            while user < row["u"]:
                indptr.write(struct.pack("<q", position))
                user += 1
            column_buffer.append(row["i"])
            value_buffer.append(row["c"])
            position += 1
            if len(column_buffer) >= 65536:
                indices.write(struct.pack(f"<{len(column_buffer)}q", *column_buffer))
                data.write(struct.pack(f"<{len(value_buffer)}f", *value_buffer))
                column_buffer, value_buffer = [], []
        indices.write(struct.pack(f"<{len(column_buffer)}q", *column_buffer))
        data.write(struct.pack(f"<{len(value_buffer)}f", *value_buffer))
        while user < user_count:
            indptr.write(struct.pack("<q", position))
            user += 1
    if position != interactions:
        raise TrainerError(f"internal: streamed {position} training rows, expected {interactions}")


def hyperparameters(arguments):
    """The manifest's `mf` parameters, the keys `earshot train mf` writes; the
    daemon reads `regularization`, `regularization_exponent`, `alpha` and
    `relative_weights` for fold-in."""
    return {
        "factors": arguments.rank,
        "iterations": arguments.iterations,
        "regularization": arguments.reg,
        "regularization_exponent": 1,  # Spark's ALS-WR penalty λ·n
        "alpha": arguments.alpha,
        "relative_weights": 1,
        "cg_steps": 0,  # exact (Cholesky) solves, no conjugate gradient
        "seed": arguments.seed,
    }


def run(arguments):
    started = time.monotonic()
    check_destination(arguments.out)
    temporary_checkpoints = None
    spark = start_spark(arguments.master)
    try:
        from pyspark import StorageLevel

        storage_name = "MEMORY_AND_DISK"
        storage = StorageLevel.MEMORY_AND_DISK
        checkpoints = arguments.checkpoint_dir
        if not checkpoints and (arguments.master or "local").startswith("local"):
            checkpoints = temporary_checkpoints = tempfile.mkdtemp(prefix="earshot-als-checkpoints-")
        if checkpoints:
            spark.sparkContext.setCheckpointDir(checkpoints)
        else:
            print("train_als.py: no --checkpoint-dir: long runs may fail with StackOverflowError", file=sys.stderr)
        fmt = input_format(arguments.interactions, arguments.format)
        rows, users, items, user_count, item_count, interactions = prepare(
            spark, arguments.interactions, fmt, arguments.alpha, storage)
        prepared = time.monotonic()
        model = train(rows, arguments, storage_name)
        model.userFactors.persist(storage).count()
        model.itemFactors.persist(storage).count()
        trained = time.monotonic()
        snapshot = SnapshotDirectory(arguments.out)
        try:
            write_ids(snapshot, "items.txt", items, "item", item_count)
            write_ids(snapshot, "users.txt", users, "user", user_count)
            write_factors(snapshot, "item_factors.npy", model.itemFactors, item_count, arguments.rank)
            write_factors(snapshot, "user_factors.npy", model.userFactors, user_count, arguments.rank)
            write_training_rows(snapshot, rows, user_count, interactions)
            part = {"kind": PART, "hyperparameters": hyperparameters(arguments),
                    "training": {"users": user_count, "items": item_count, "interactions": interactions}}
            manifest = snapshot.commit({PART: part}, datetime.datetime.now(datetime.timezone.utc))
        except BaseException:
            snapshot.discard()
            raise
        finished = time.monotonic()
    finally:
        spark.stop()
        if temporary_checkpoints:
            shutil.rmtree(temporary_checkpoints, ignore_errors=True)
    print(f"prepared {interactions} interactions of {user_count} users and {item_count} items in "
          f"{prepared - started:.1f} s, trained in {trained - prepared:.1f} s, wrote in {finished - trained:.1f} s",
          file=sys.stderr)
    print(json.dumps({"snapshot": snapshot.destination, "id": manifest["id"], "users": user_count, "items": item_count,
                      "interactions": interactions, "seconds": round(finished - started, 3),
                      "train_seconds": round(trained - prepared, 3)}))


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        run(arguments)
    except TrainerError as error:
        print(f"train_als.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
