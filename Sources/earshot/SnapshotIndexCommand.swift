import ArgumentParser
import EarshotANN
import EarshotScoring
import EarshotSnapshot
import Foundation

/// The item matrix and query matrix of each dense part, by file stem.
enum DensePart: String, ExpressibleByArgument, CaseIterable {
    case mf
    case twoTower = "two-tower"

    var itemMatrix: String { self == .mf ? "item_factors" : "item_embeddings" }
    var userMatrix: String { self == .mf ? "user_factors" : "user_embeddings" }
}

/// `earshot snapshot index DIR --part mf --out NEWDIR`: a new snapshot with
/// DIR's parts plus an HNSW graph over one part's item vectors (DIR is never
/// changed: snapshots are immutable and may be mapped by a running daemon).
struct SnapshotIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Write a new snapshot holding DIR's parts plus an HNSW graph (maximum inner product) for one part.")

    @Argument(help: "Snapshot directory to index (left unchanged).") var directory: String
    @Option(help: "Part whose item vectors get the graph: mf or two-tower.") var part: DensePart
    @Option(help: "New snapshot directory to create.") var out: String
    @Option(help: "Neighbours per node (2M on the bottom level).") var m: Int = HNSWBuildOptions().m
    @Option(help: "Candidate list while building.") var efConstruction: Int = HNSWBuildOptions().efConstruction
    @Option(help: "Building threads (default: the cores available).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seed of the graph's level draws.") var seed: UInt64 = HNSWBuildOptions().seed

    func validate() throws {
        guard m >= 2, m <= 256, efConstruction >= 1, threads >= 1 else {
            throw ValidationError("--m must be in 2...256, --ef-construction and --threads at least 1")
        }
    }

    func run() throws {
        do {
            try SnapshotWriter.checkDestination(out)
        } catch {
            throw CLIError(error.description)
        }
        let snapshot: Snapshot
        do {
            snapshot = try SnapshotReader.read(at: directory)
        } catch {
            throw CLIError(error.description)
        }
        let name = part.rawValue
        guard let contents = snapshot.parts[name], let manifestPart = snapshot.manifest.scorers[name] else {
            throw CLIError("\(directory) has no \(name) part")
        }
        guard let matrix = contents.matrices[part.itemMatrix] else {
            throw CLIError("\(directory) has no \(name)/\(part.itemMatrix).npy")
        }
        let options = HNSWBuildOptions(m: m, efConstruction: efConstruction, threads: threads, seed: seed)
        let started = Date()
        let total = matrix.rows
        let arrays = matrix.values.withUnsafeBufferPointer { vectors in
            HNSWBuilder.build(vectors: vectors.baseAddress!, count: total, dimension: matrix.columns, options: options) { done in
                let seconds = Date().timeIntervalSince(started)
                FileHandle.standardError.write(
                    Data(String(format: "\rindexing %@: %d of %d items, %.1f s", name, done, total, seconds).utf8))
            }
        }
        let buildSeconds = Date().timeIntervalSince(started)
        FileHandle.standardError.write(Data("\n".utf8))

        // The part's files as they are (verified by the read), the graph replacing any older one.
        var files: [String: Data] = [:]
        let graphStems = [HNSWGraph.Arrays.level0, HNSWGraph.Arrays.upperNodes, HNSWGraph.Arrays.upperOffsets, HNSWGraph.Arrays.upperLinks]
        for file in snapshot.manifest.files.keys where file.hasPrefix(name + "/") {
            let leaf = String(file.dropFirst(name.count + 1))
            guard !graphStems.contains(where: { leaf == $0 + ".npy" }) else { continue }
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: snapshot.resolvedPath).appendingPathComponent(file))
            else { throw CLIError("cannot read \(file) of \(directory)") }
            files[leaf] = data
        }
        let degree = 2 * arrays.m
        files[HNSWGraph.Arrays.level0 + ".npy"] = NPY.write(.int32(shape: [arrays.count, degree], values: arrays.level0))
        files[HNSWGraph.Arrays.upperNodes + ".npy"] = NPY.write(.int32(shape: [arrays.upperNodes.count], values: arrays.upperNodes))
        files[HNSWGraph.Arrays.upperOffsets + ".npy"] = NPY.write(
            .int32(shape: [arrays.upperOffsets.count], values: arrays.upperOffsets))
        files[HNSWGraph.Arrays.upperLinks + ".npy"] = NPY.write(
            .int32(shape: [arrays.upperLinks.count / arrays.m, arrays.m], values: arrays.upperLinks))
        var indexed = manifestPart
        typealias Keys = HNSWGraph.Parameters
        indexed.hyperparameters[Keys.m] = Double(arrays.m)
        indexed.hyperparameters[Keys.efConstruction] = Double(efConstruction)
        indexed.hyperparameters[Keys.entryPoint] = Double(arrays.entryPoint)
        indexed.hyperparameters[Keys.maxLevel] = Double(arrays.maxLevel)
        indexed.hyperparameters[Keys.items] = Double(arrays.count)
        let manifest: Manifest
        do {
            manifest = try SnapshotWriter.write(
                [SnapshotPartContents(name: name, part: indexed, files: files)], to: out,
                catalogueFingerprint: nil, basedOn: directory)
        } catch {
            throw CLIError(error.description)
        }
        FileHandle.standardError.write(Data(
            "wrote snapshot \(manifest.id) to \(out): \(name) with an HNSW graph (M \(m), ef_construction \(efConstruction)) over \(total) items\n"
                .utf8))
        print(
            #"{"id":"\#(manifest.id)","part":"\#(name)","items":\#(total),"m":\#(m),"ef_construction":\#(efConstruction),"threads":\#(threads),"build_seconds":\#(String(format: "%.2f", buildSeconds))}"#)
    }
}

/// `earshot snapshot index-eval DIR --part mf`: recall@k of the part's graph
/// against the exact top-k for the part's users as queries, and its
/// single-thread queries per second, in-process, per `ef`.
struct SnapshotIndexEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index-eval",
        abstract: "Measure an indexed part: recall@k against the exact scan and single-thread queries/s, per ef.")

    @Argument(help: "Snapshot directory with an HNSW graph.") var directory: String
    @Option(help: "Indexed part: mf or two-tower.") var part: DensePart
    @Option(help: "Comma-separated candidate list sizes.") var ef: String = "16,32,64,128"
    @Option(help: "Queries (the part's first users).") var queries: Int = 1000
    @Option(help: "Results per query.") var k: Int = 10

    func run() throws {
        let snapshot: Snapshot
        do {
            snapshot = try SnapshotReader.read(at: directory)
        } catch {
            throw CLIError(error.description)
        }
        let name = part.rawValue
        guard let contents = snapshot.parts[name], let items = contents.matrices[part.itemMatrix],
            let users = contents.matrices[part.userMatrix], users.columns == items.columns, users.rows > 0
        else { throw CLIError("\(directory) lacks \(name)/\(part.itemMatrix).npy or a matching \(name)/\(part.userMatrix).npy") }
        let graph: HNSWGraph
        do {
            guard let found = try contents.hnswGraph(rows: items.rows, part: name, fail: { ScorerLoadError($0) }) else {
                throw CLIError("\(directory) has no graph for \(name); build one with `earshot snapshot index`")
            }
            graph = found
        } catch let error as ScorerLoadError {
            throw CLIError(error.description)
        }
        let d = items.columns
        let count = min(queries, users.rows)
        let none = ItemExclusion(count: items.rows)
        let exact: [[Int32]] = (0..<count).map { u in
            let query = Array(users.values[u * d..<(u + 1) * d])
            return items.values.withUnsafeBufferPointer {
                VectorKernels.topDotProducts(query: query, matrix: $0, rows: items.rows, k: k, excluding: none).map(\.item)
            }
        }
        let scratch = HNSWScratchPool()
        for ef in ef.split(separator: ",").compactMap({ Int($0) }) {
            var hits = 0
            let started = DispatchTime.now().uptimeNanoseconds
            var found: [[Int32]] = []
            found.reserveCapacity(count)
            users.values.withUnsafeBufferPointer { queries in
                items.values.withUnsafeBufferPointer { vectors in
                    for u in 0..<count {
                        found.append(
                            graph.search(
                                query: queries.baseAddress! + u * d, vectors: vectors.baseAddress!, dimension: d, k: k,
                                ef: max(ef, k), scratch: scratch, excluded: { _ in false }
                            ).map(\.node))
                    }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            for (got, want) in zip(found, exact) { hits += Set(got).intersection(want).count }
            print(
                #"{"ef":\#(ef),"queries":\#(count),"k":\#(k),"recall":\#(String(format: "%.4f", Double(hits) / Double(count * k))),"qps":\#(Int(Double(count) / seconds))}"#)
        }
    }
}
