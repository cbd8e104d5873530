import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Retrainer {
    /// One part of the current snapshot with the trainer of its kind.
    struct PlannedPart {
        var name: String
        var recorded: RecordedPart
        var retrainer: PartRetrainer
    }

    /// The steps of a run; throwing leaves `current` as it was.
    func attempt(folder: SnapshotFolder, record: RetrainRecord, report: inout Report) throws(RetrainError) {
        guard let currentName = folder.currentName() else {
            throw RetrainError(
                "no snapshot link at \(folder.linkPath): train a first model (`earshot train mf --db CATALOGUE --out DIR`) and link it there")
        }
        let current: Snapshot
        do {
            current = try SnapshotReader.read(at: folder.linkPath)
        } catch {
            throw RetrainError("the current snapshot \(currentName) is unusable: \(error); `earshot snapshot rollback` goes back to the previous one")
        }
        var planned: [PlannedPart] = []
        for (name, part) in current.manifest.scorers.sorted(by: { $0.key < $1.key }) {
            guard let retrainer = PartRetrainers.byKind[part.kind] else {
                throw RetrainError(
                    "part \(name) of \(currentName) is of kind \(part.kind), which this build cannot retrain "
                        + "(it retrains \(PartRetrainers.byKind.keys.sorted().joined(separator: ", ")))")
            }
            planned.append(PlannedPart(name: name, recorded: RecordedPart(name: name, in: current), retrainer: retrainer))
        }
        guard !planned.isEmpty else { throw RetrainError("the current snapshot \(currentName) has no parts to retrain") }

        log("reading listens and interactions from \(settings.cataloguePath)")
        let data = try RetrainData.load(catalogue: settings.cataloguePath)
        report.dataDigest = data.digest
        report.users = data.all.userIDs.count
        report.interactions = data.all.count
        report.heldOutUsers = data.heldOut.count
        if data.digest == record.lastDataDigest, !settings.degradeForTesting {
            report.outcome = "unchanged"
            report.reason = "no new listens or interactions since the last retrain; no snapshot written, \(currentName) stays current"
            return
        }

        let snapshotBytes = current.manifest.files.values.reduce(0) { $0 + $1.size }
        // The candidate and the refit model each take about one snapshot.
        let needed = 3 * snapshotBytes + settings.minimumFreeBytes
        if let available = folder.availableBytes(), available < needed {
            throw RetrainError(
                "only \(Self.megabytes(available)) free in \(folder.path); a retrain needs \(Self.megabytes(needed)) "
                    + "(room for two snapshots of \(Self.megabytes(snapshotBytes)) plus retrain.min_free_mb): "
                    + "free space, e.g. `earshot snapshot gc --keep 3`")
        }

        // 1. Candidates trained without the held-out plays, measured against the current model.
        log("training \(planned.map(\.name).joined(separator: ", ")) on \(data.train.count) interactions (held out: the latest plays of \(data.heldOut.count) users)")
        var candidateParts = try train(planned, on: data.train, data: data, stage: "candidate")
        if settings.degradeForTesting { candidateParts = candidateParts.map(Self.scrambled) }
        let now = Date()
        let stem = folder.newName(at: now)
        let candidatePath = folder.path + "/.candidate-\(stem).tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: candidatePath) }
        let candidate: Snapshot
        do {
            try SnapshotWriter.write(candidateParts, to: candidatePath, catalogueFingerprint: data.catalogue.fingerprint, now: now)
            candidate = try SnapshotReader.read(at: candidatePath)
        } catch {
            throw RetrainError("cannot write the candidate snapshot: \(error)")
        }
        for part in planned {
            guard let plugin = part.retrainer.plugin else { continue }
            let old = try Self.load(part, plugin, from: current, label: "current snapshot \(currentName)")
            let new = try Self.load(part, plugin, from: candidate, label: "candidate")
            // Plays neither model was trained on, even a lone listener's; only when
            // there are none, all held-out plays (which favours the current model).
            var judged = HoldoutEvaluation.unseen(by: old, in: data.heldOut)
            let fresh = !judged.isEmpty
            if !fresh { judged = data.heldOut }
            let gate = QualityGate(
                current: HoldoutEvaluation.perUser(scorer: old, data: data, heldOut: judged),
                new: HoldoutEvaluation.perUser(scorer: new, data: data, heldOut: judged), margin: settings.margin)
            log("\(part.name): ndcg@10 on the \(fresh ? "new" : "all") held-out plays of \(gate.users) users: "
                + "current \(Self.rounded(gate.currentNDCG)), new \(Self.rounded(gate.newNDCG)) "
                + "(\(gate.passed ? "not worse" : "worse") by margin \(settings.margin) + noise \(Self.rounded(gate.slack)))")
            report.parts.append(PartReport(
                name: part.name, kind: part.recorded.manifest.kind, oldNDCG: gate.currentNDCG, newNDCG: gate.newNDCG,
                slack: gate.slack, users: gate.users, passed: gate.passed))
        }

        guard report.parts.allSatisfy(\.passed) else {
            // Kept for inspection as a complete snapshot, never linked.
            guard rename(candidatePath, folder.path + "/" + stem) == 0 else {
                throw RetrainError("cannot keep the candidate as \(stem): \(String(cString: strerror(errno)))")
            }
            report.outcome = "kept"
            report.snapshot = stem
            report.snapshotID = candidate.manifest.id
            let worse = report.parts.filter { !$0.passed }.map {
                "\($0.name) ndcg@10 \(Self.rounded($0.newNDCG)) < current \(Self.rounded($0.oldNDCG)) − margin \(settings.margin) − noise \(Self.rounded($0.slack))"
            }
            report.reason = "the new model is worse on the held-out plays (\(worse.joined(separator: "; "))); \(currentName) stays current, the candidate is kept as \(stem)"
            return
        }

        // A blend's weights, fitted on the held-out plays over the candidate's sources.
        var refitBlends: [String: SnapshotPartContents] = [:]
        for part in planned where part.recorded.manifest.kind == BlendPart.partName {
            let (contents, fit) = try BlendRefit(recorded: part.recorded).part(candidate: candidate, data: data)
            let previous = fit.previousNDCG.map { ", previous weights \(Self.rounded($0))" } ?? ""
            log("\(part.name): weights \(fit.keptPrevious ? "kept" : "refitted") on \(fit.examples) held-out users, ndcg "
                + "\(Self.rounded(fit.fittedNDCG)) (unfitted \(Self.rounded(fit.defaultNDCG))\(previous))")
            refitBlends[part.name] = contents
        }

        // 2. The promoted model is refit on everything, so every listener is in it.
        log("refitting on all \(data.all.count) interactions of \(data.all.userIDs.count) users")
        let refit = try train(planned, on: data.all, data: data, stage: "refit").map { refitBlends[$0.name] ?? $0 }
        let manifest: Manifest
        do {
            manifest = try SnapshotWriter.write(
                refit, to: folder.path + "/" + stem, catalogueFingerprint: data.catalogue.fingerprint, now: now)
        } catch {
            throw RetrainError("cannot write the new snapshot: \(error)")
        }
        report.snapshot = stem
        report.snapshotID = manifest.id
        do {
            try folder.swapCurrent(to: stem)
        } catch {
            throw RetrainError("cannot point \(folder.linkPath) at \(stem): \(error)")
        }
        log("\(folder.linkName) → \(stem) (\(manifest.id))")

        // 3. The daemon loads it; if it refuses, `current` goes back.
        switch DaemonLink(socketPath: settings.socketPath).reload() {
        case .reloaded(let id):
            report.daemon = id == manifest.id ? "reloaded" : "reloaded, but serves \(id ?? "no snapshot")"
        case .notRunning(let reason):
            report.daemon = "not running (\(reason)); it loads \(stem) when it starts"
        case .refused(let reason):
            try? folder.swapCurrent(to: currentName)
            throw RetrainError("the daemon refused \(stem) (\(reason)); \(folder.linkName) points at \(currentName) again")
        }
        do {
            let history = PromotionHistory(folder: folder)
            if history.promotions().isEmpty {
                // The snapshot linked by hand before the first retrain, so a rollback can return to it.
                try history.append(.init(snapshot: currentName, id: current.manifest.id, at: current.manifest.createdAt, by: "before retrain"))
            }
            try history.append(
                .init(snapshot: stem, id: manifest.id, at: ISO8601DateFormatter().string(from: now), by: "retrain"))
        } catch {
            log("could not append to \(folder.historyPath): \(error)")
        }
        report.outcome = "promoted"
        report.reason = "not worse on the held-out plays; refit on everything and promoted"
    }

    private func train(_ planned: [PlannedPart], on table: InteractionTable, data: RetrainData, stage: String) throws(RetrainError)
        -> [SnapshotPartContents]
    {
        var parts: [SnapshotPartContents] = []
        for part in planned {
            let progress = TerminalProgress(label: "\(stage) \(part.name)")
            var contents: SnapshotPartContents
            do {
                contents = try part.retrainer.train(table, data, part.recorded, progress)
            } catch {
                progress.finish()
                throw RetrainError("training \(part.name) (\(stage)) failed: \(error)")
            }
            progress.finish()
            contents.name = part.name
            parts.append(contents)
        }
        return parts
    }

    private static func load(_ part: PlannedPart, _ plugin: any ScorerPlugin.Type, from snapshot: Snapshot, label: String)
        throws(RetrainError) -> any LoadedScorer
    {
        do {
            return try plugin.load(ScorerLoadContext(catalogue: .empty, part: snapshot.parts[part.name]))
        } catch {
            throw RetrainError("\(label): part \(part.name) does not load: \(error)")
        }
    }

    /// The part with its `items.txt` rotated by half: every item id names
    /// another item's vector (`--degrade-for-testing`).
    static func scrambled(_ part: SnapshotPartContents) -> SnapshotPartContents {
        var part = part
        guard let data = part.files["items.txt"] else { return part }
        let ids = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        let rotated = ids[(ids.count / 2)...] + ids[..<(ids.count / 2)]
        part.files["items.txt"] = Data((rotated.joined(separator: "\n") + (ids.isEmpty ? "" : "\n")).utf8)
        return part
    }

    static func rounded(_ value: Double) -> String { String(format: "%.4f", value) }

    static func megabytes(_ bytes: Int) -> String { "\(bytes / 1_000_000) MB" }
}
