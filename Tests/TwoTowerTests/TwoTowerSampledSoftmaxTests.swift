import Foundation
import EarshotTraining
import Testing

@Suite struct TwoTowerSampledSoftmaxTests {
    /// A tiny batch: 3 queries, 3 positives (the third repeats the first's
    /// item, an accidental hit) and 2 random negatives, with log-q, weights
    /// and a temperature.
    struct Case {
        var queries: [Float] = [0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.0, 0.3, 0.25, 0.15, -0.1, -0.3]
        var candidates: [Float] = [
            0.2, 0.1, -0.3, 0.4, -0.1, 0.5, 0.2, 0.0, 0.3, -0.2, 0.1, 0.2, 0.4, 0.4, -0.2, -0.1, -0.3, 0.1, 0.2, 0.3,
        ]
        let items: [Int32] = [7, 3, 7, 1, 9]
        let logQ: [Float] = [-1.2, -2.0, -1.2, -0.5, -3.0]
        let weights: [Float] = [1.0, 0.5, 1.5]
        let softmax = TwoTowerSampledSoftmax(dimension: 4, temperature: 0.7)

        func evaluate(workers: Int = 1) -> TwoTowerSampledSoftmax.Result {
            softmax.evaluate(
                queries: queries, candidates: candidates, candidateItems: items, logQ: logQ, weights: weights, workers: workers)
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let base = Case()
        let analytic = base.evaluate()
        let step: Float = 1e-2
        for index in base.queries.indices {
            var plus = base
            plus.queries[index] += step
            var minus = base
            minus.queries[index] -= step
            let numeric = (plus.evaluate().loss - minus.evaluate().loss) / Double(2 * step)
            #expect(abs(numeric - Double(analytic.queryGradients[index])) < 2e-4, "query gradient \(index)")
        }
        for index in base.candidates.indices {
            var plus = base
            plus.candidates[index] += step
            var minus = base
            minus.candidates[index] -= step
            let numeric = (plus.evaluate().loss - minus.evaluate().loss) / Double(2 * step)
            #expect(abs(numeric - Double(analytic.candidateGradients[index])) < 2e-4, "candidate gradient \(index)")
        }
    }

    @Test func lossIsTheCorrectedSoftmaxCrossEntropy() {
        let batch = Case()
        var expected = 0.0
        for row in 0..<3 {
            var logits: [Double] = []
            for column in 0..<5 where column == row || batch.items[column] != batch.items[row] {
                var dot = 0.0
                for d in 0..<4 { dot += Double(batch.queries[row * 4 + d] * batch.candidates[column * 4 + d]) }
                logits.append((dot - Double(batch.logQ[column])) / 0.7)
            }
            var positive = 0.0
            for d in 0..<4 { positive += Double(batch.queries[row * 4 + d] * batch.candidates[row * 4 + d]) }
            positive = (positive - Double(batch.logQ[row])) / 0.7
            let logSum = log(logits.map { exp($0) }.reduce(0, +))
            expected += Double(batch.weights[row]) * (logSum - positive)
        }
        #expect(abs(batch.evaluate().loss - expected / 3) < 1e-5)
    }

    @Test func resultDoesNotDependOnWorkers() {
        let one = Case().evaluate(workers: 1)
        let two = Case().evaluate(workers: 2)
        #expect(one.loss == two.loss)
        #expect(one.queryGradients == two.queryGradients)
        #expect(one.candidateGradients == two.candidateGradients)
    }
}
