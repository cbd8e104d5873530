import Benchmark
import EarshotProtocol
import EarshotScoring

/// Kernels and codecs on the request path, sized like real serving.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3))

    var generator = SplitMix(seed: 7)
    let dims = 64
    let rows = 114_000
    let matrix = (0..<(rows * dims)).map { _ in Float(generator.unit() - 0.5) }
    let query = (0..<dims).map { _ in Float(generator.unit() - 0.5) }
    let none = ItemExclusion(count: rows)

    Benchmark("top-10 dot products, 114k × 64") { benchmark in
        matrix.withUnsafeBufferPointer { buffer in
            for _ in benchmark.scaledIterations {
                blackHole(VectorKernels.topDotProducts(query: query, matrix: buffer, rows: rows, k: 10, excluding: none))
            }
        }
    }

    let scores = (0..<rows).map { _ in Float(generator.unit()) }
    Benchmark("top-k selection, k=100 of 114k") { benchmark in
        for _ in benchmark.scaledIterations {
            var top = TopK(k: 100)
            for (item, score) in scores.enumerated() where score > top.threshold {
                top.insert(item: Int32(item), score: score)
            }
            blackHole(top.sorted())
        }
    }

    let request = Array(#"{"id":42,"op":"recommend","user":"alice","history":["6JrAEmBFd61eYIGVOSPnT4","spotify:track:4qPNDBW1i3p13qLCt0Ki3A",{"track":"5SuOikwiRyPMVoIQDJUgSV","weight":2}],"k":10,"exclude_heard":true}"#.utf8)
    let decoder = RequestDecoder()
    Benchmark("decode a recommend request") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(decoder.decode(line: request))
        }
    }

    let items: [JSONValue] = (0..<10).map { index in
        .object([
            "track": .string("6JrAEmBFd61eYIGVOSPnT\(index)"), "score": .double(0.9 - Double(index) / 100),
            "name": "Wicked Games (feat. Anna Naklab) - Radio Edit", "artists": .array(["Parra for Cuva", "Anna Naklab"]),
            "album": "Wicked Games", "genre": "electronic", "genres": .array(["electronic", "french"]),
        ])
    }
    let result = JSONValue.object(["scorer": "content", "snapshot": .null, "items": .array(items)])
    Benchmark("encode a 10-item recommend response") { benchmark in
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096)
        for _ in benchmark.scaledIterations {
            bytes.removeAll(keepingCapacity: true)
            Response.success(id: .int(42), result: result, into: &bytes)
            blackHole(bytes)
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
