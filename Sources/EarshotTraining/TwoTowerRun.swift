import Foundation

/// One optimization run of the two-tower model over a training set: its
/// network, optimizer and random stream. Epochs visit every training pair
/// once in a seeded random order, in batches of the in-batch softmax.
struct TwoTowerRun {
    let configuration: TwoTowerConfiguration
    let data: TwoTowerTrainingSet
    private(set) var network: TwoTowerNetwork
    private var optimizer: TwoTowerOptimizer
    private var generator: SeededGenerator
    private let softmax: TwoTowerSampledSoftmax
    /// The user of each entry of `data.userItems`.
    private let entryUser: [Int32]
    /// `log` of each item's expected count among a batch's positives.
    private let positiveLogQ: [Float]

    init(data: TwoTowerTrainingSet, tags: Int, configuration: TwoTowerConfiguration) {
        self.configuration = configuration
        self.data = data
        var generator = SeededGenerator(seed: configuration.seed)
        network = TwoTowerNetwork(
            dimension: configuration.dimension, users: data.userCount, items: data.itemCount, tags: tags,
            configuration: configuration, generator: &generator)
        self.generator = generator
        optimizer = TwoTowerOptimizer(
            kind: configuration.optimizer, learningRate: configuration.learningRate, l2: configuration.l2,
            parameterCount: network.parameters.count)
        softmax = TwoTowerSampledSoftmax(dimension: configuration.dimension, temperature: configuration.temperature)
        var entryUser = [Int32](repeating: 0, count: data.userItems.nonzeroCount)
        for user in 0..<data.userCount {
            for position in data.userItems.offsets[user]..<data.userItems.offsets[user + 1] { entryUser[position] = Int32(user) }
        }
        self.entryUser = entryUser
        let batch = Float(configuration.batchSize)
        positiveLogQ = data.itemLogProbability.map { $0 + log(batch) }
    }

    /// One pass over the training pairs; returns the mean batch loss.
    mutating func epoch(progress: (Int, Int) -> Void = { _, _ in }) -> Double {
        var order = Array(0..<data.userItems.nonzeroCount)
        order.shuffle(using: &generator)
        let batches = (order.count + configuration.batchSize - 1) / configuration.batchSize
        var total: Double = 0
        for batch in 0..<batches {
            let slice = order[(batch * configuration.batchSize)..<min(order.count, (batch + 1) * configuration.batchSize)]
            total += step(entries: Array(slice))
            progress(batch + 1, batches)
        }
        return total / Double(max(1, batches))
    }

    /// One optimizer step on the pairs at `entries` of `data.userItems`.
    private mutating func step(entries: [Int]) -> Double {
        // Random draws happen here, in order, so they do not depend on threads.
        let dropped = entries.map { _ in configuration.userDropout > 0 && generator.nextUnitFloat() < configuration.userDropout }
        let negatives = (0..<configuration.randomNegatives).map { _ in Int32(generator.next() % UInt64(data.itemCount)) }
        let (loss, gradients) = lossAndGradients(entries: entries, dropped: dropped, negatives: negatives)
        optimizer.step(parameters: &network.parameters, gradients: gradients, workers: configuration.threads)
        return loss
    }

    /// The batch loss and its gradient over all parameters.
    private func lossAndGradients(entries: [Int], dropped: [Bool], negatives: [Int32]) -> (Double, [Float]) {
        let d = configuration.dimension
        let batch = entries.count
        let workers = configuration.threads
        let rows = data.userItems
        let candidateItems = entries.map { rows.columns[$0] } + negatives
        let uniformLogQ = log(Float(max(1, negatives.count)) / Float(data.itemCount))
        let logQ: [Float] = configuration.logQCorrection
            ? candidateItems.indices.map { $0 < batch ? positiveLogQ[Int(candidateItems[$0])] : uniformLogQ }
            : [Float](repeating: 0, count: candidateItems.count)
        let weights = entries.map { data.lossWeights[$0] }
        var queries = [Float](repeating: 0, count: batch * d)
        var candidates = [Float](repeating: 0, count: candidateItems.count * d)
        let block = 64
        network.parameters.withUnsafeBufferPointer { p in
            queries.withUnsafeMutableBufferPointer { q in
                candidates.withUnsafeMutableBufferPointer { c in
                    let pieces = (candidateItems.count + block - 1) / block
                    WorkSharing.run(pieces: pieces, workers: workers, makeScratch: {}) { piece, _ in
                        for column in (piece * block)..<min(candidateItems.count, (piece + 1) * block) {
                            if column < batch {
                                let entry = entries[column]
                                let user = Int(entryUser[entry])
                                network.query(
                                    user: dropped[column] ? nil : user,
                                    items: rows.columns[rows.offsets[user]..<rows.offsets[user + 1]],
                                    weights: data.poolingWeights[rows.offsets[user]..<rows.offsets[user + 1]], skipping: entry,
                                    into: q.baseAddress! + column * d, parameters: p.baseAddress!)
                            }
                            network.candidate(
                                item: Int(candidateItems[column]), features: data, into: c.baseAddress! + column * d,
                                parameters: p.baseAddress!)
                        }
                    }
                }
            }
        }
        let result = softmax.evaluate(
            queries: queries, candidates: candidates, candidateItems: candidateItems, logQ: logQ, weights: weights,
            workers: workers)
        var gradients = [Float](repeating: 0, count: network.parameters.count)
        gradients.withUnsafeMutableBufferPointer { g in
            result.queryGradients.withUnsafeBufferPointer { dq in
                for (row, entry) in entries.enumerated() {
                    let user = Int(entryUser[entry])
                    network.scatterQuery(
                        dq.baseAddress! + row * d, user: dropped[row] ? nil : user,
                        items: rows.columns[rows.offsets[user]..<rows.offsets[user + 1]],
                        weights: data.poolingWeights[rows.offsets[user]..<rows.offsets[user + 1]], skipping: entry,
                        into: g.baseAddress!)
                }
            }
            result.candidateGradients.withUnsafeBufferPointer { dc in
                for (column, item) in candidateItems.enumerated() {
                    network.scatterCandidate(dc.baseAddress! + column * d, item: Int(item), features: data, into: g.baseAddress!)
                }
            }
        }
        return (result.loss, gradients)
    }
}
