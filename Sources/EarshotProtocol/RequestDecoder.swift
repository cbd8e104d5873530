import EarshotTime

/// A request line after decoding: its echoed id and the request or why it was refused.
public struct DecodedLine: Sendable {
    /// The request's `id` (`.null` when absent or unreadable).
    public var id: JSONValue
    public var request: Result<Request, ProtocolError>
}

/// Turns one request line into a validated `Request`.
///
/// Validation is complete here, so the daemon only ever sees well-typed,
/// in-range requests; every problem becomes `parse_error` or
/// `invalid_request` with a message naming the field.
public struct RequestDecoder: Sendable {
    public var limits: ProtocolLimits

    public init(limits: ProtocolLimits = ProtocolLimits()) {
        self.limits = limits
    }

    /// Decodes one line (without its terminator).
    public func decode<Bytes: Collection<UInt8>>(line: Bytes) -> DecodedLine {
        let document: JSONValue
        do {
            document = try JSONParser.parse(line, maxDepth: limits.maxDepth)
        } catch {
            return DecodedLine(id: .null, request: .failure(ProtocolError(.parseError, error.description)))
        }
        guard case .object(let object) = document else {
            return DecodedLine(
                id: .null,
                request: .failure(ProtocolError(.invalidRequest, "a request must be a JSON object, found \(document.typeName)")))
        }
        var id = JSONValue.null
        if let given = object["id"] {
            guard given.isScalar else {
                return DecodedLine(id: .null, request: .failure(.invalidField("id", "must be a scalar, found \(given.typeName)")))
            }
            id = given
        }
        return DecodedLine(id: id, request: Result { () throws(ProtocolError) in try decodeRequest(object) })
    }

    func decodeRequest(_ object: JSONObject) throws(ProtocolError) -> Request {
        var fields = Fields(object: object, limits: limits)
        fields.consume("id")
        guard let opName = try fields.string("op") else { throw .invalidField("op", "is required") }
        guard let op = Op(rawValue: opName) else {
            throw ProtocolError(
                .unknownOp, "unknown op \"\(opName)\"; known ops: \(Op.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let request: Request
        switch op {
        case .ping: request = .ping
        case .info: request = .info
        case .stats:
            let name = try fields.string("format") ?? StatsFormat.json.rawValue
            guard let format = StatsFormat(rawValue: name) else {
                throw .invalidField("format", "must be json or prometheus, found \"\(name)\"")
            }
            request = .stats(format)
        case .scorers: request = .scorers
        case .reload: request = .reload
        case .search:
            guard let query = try fields.string("q") else { throw .invalidField("q", "is required") }
            var search = SearchRequest(query: query)
            search.k = try fields.k() ?? search.k
            request = .search(search)
        case .recommend:
            var recommend = RecommendRequest()
            recommend.user = try fields.nonEmptyString("user")
            recommend.history = try fields.history()
            guard recommend.user != nil || !recommend.history.isEmpty else {
                throw .invalidField("user", "user or history is required")
            }
            recommend.scorer = try fields.nonEmptyString("scorer")
            recommend.k = try fields.k() ?? recommend.k
            recommend.excludeHeard = try fields.bool("exclude_heard") ?? true
            recommend.exclude = try fields.trackList("exclude") ?? []
            recommend.maxPerArtist = try fields.integer("max_per_artist", in: 1...limits.maxK)
            recommend.filter = try fields.filter()
            recommend.ef = try fields.integer("ef", in: 1...RecommendRequest.maximumEF)
            recommend.exact = try fields.bool("exact") ?? false
            request = .recommend(recommend)
        case .similar:
            var similar = SimilarRequest()
            let single = try fields.track("track")
            let several = try fields.trackList("tracks")
            switch (single, several) {
            case (let track?, nil): similar.tracks = [track]
            case (nil, let tracks?) where !tracks.isEmpty: similar.tracks = tracks
            case (nil, _): throw .invalidField("track", "track or tracks is required")
            case (_?, _?): throw .invalidField("tracks", "give track or tracks, not both")
            }
            similar.scorer = try fields.nonEmptyString("scorer")
            similar.k = try fields.k() ?? similar.k
            if let name = try fields.string("strategy") {
                guard let strategy = SimilarityStrategy(rawValue: name) else {
                    throw .invalidField(
                        "strategy", "must be one of \(SimilarityStrategy.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                similar.strategy = strategy
            }
            similar.exclude = try fields.trackList("exclude") ?? []
            request = .similar(similar)
        case .score:
            var score = ScoreRequest()
            score.user = try fields.nonEmptyString("user")
            score.history = try fields.history()
            guard score.user != nil || !score.history.isEmpty else {
                throw .invalidField("user", "user or history is required")
            }
            guard let tracks = try fields.trackList("tracks") else { throw .invalidField("tracks", "is required") }
            score.tracks = tracks
            score.scorer = try fields.nonEmptyString("scorer")
            request = .score(score)
        case .listen:
            guard let user = try fields.nonEmptyString("user") else { throw .invalidField("user", "is required") }
            if let events = try fields.list("events", max: limits.maxHistory) {
                guard !events.isEmpty else { throw .invalidField("events", "must not be empty") }
                if let single = ["track", "ms_played", "ts", "skipped", "event_id"].first(where: { object[$0] != nil }) {
                    throw .invalidField(single, "goes inside each entry of events, not beside it")
                }
                var plays: [PlayEvent] = []
                plays.reserveCapacity(events.count)
                for (position, element) in events.enumerated() {
                    let field = "events[\(position)]"
                    guard case .object(let entry) = element else {
                        throw .invalidField(field, "must be an object with track, ms_played, ts, skipped, event_id")
                    }
                    var entryFields = Fields(object: entry, limits: limits)
                    plays.append(try entryFields.play(prefix: "\(field)."))
                    if let extra = entry.keys.first(where: { !entryFields.consumed.contains($0) }) {
                        throw .invalidField("\(field).\(extra)", "unknown field; an event has track, ms_played, ts, skipped, event_id")
                    }
                }
                request = .listen(ListenRequest(user: user, events: plays, isBatch: true))
            } else {
                request = .listen(ListenRequest(user: user, events: [try fields.play(prefix: "")], isBatch: false))
            }
        case .forget:
            guard let user = try fields.nonEmptyString("user") else { throw .invalidField("user", "is required") }
            request = .forget(ForgetRequest(user: user))
        }
        try fields.rejectUnknown(op: op)
        return request
    }
}

/// Typed access to a request's members, remembering which ones were read
/// so that unknown (often misspelled) fields are reported, not ignored.
private struct Fields {
    let object: JSONObject
    let limits: ProtocolLimits
    /// Keys read so far; a request has few, so an array is cheapest.
    var consumed: [String] = []

    init(object: JSONObject, limits: ProtocolLimits) {
        self.object = object
        self.limits = limits
    }

    mutating func consume(_ key: String) { consumed.append(key) }

    mutating func value(_ key: String) -> JSONValue? {
        consumed.append(key)
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    mutating func string(_ key: String) throws(ProtocolError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let string) = value else { throw .invalidField(key, "must be a string, found \(value.typeName)") }
        return string
    }

    mutating func nonEmptyString(_ key: String) throws(ProtocolError) -> String? {
        guard let string = try string(key) else { return nil }
        guard !string.isEmpty else { throw .invalidField(key, "must not be empty") }
        return string
    }

    mutating func bool(_ key: String) throws(ProtocolError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw .invalidField(key, "must be true or false, found \(value.typeName)") }
        return flag
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ProtocolError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value, let int = number.exactInt, range.contains(int) else {
            throw .invalidField(key, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return int
    }

    mutating func k() throws(ProtocolError) -> Int? {
        try integer("k", in: 1...limits.maxK)
    }

    mutating func track(_ key: String) throws(ProtocolError) -> String? {
        guard let value = value(key) else { return nil }
        return try Self.trackID(value, field: key)
    }

    static func trackID(_ value: JSONValue, field: String) throws(ProtocolError) -> String {
        guard case .string(let text) = value else {
            throw .invalidField(field, "must be a track id string, found \(value.typeName)")
        }
        guard let id = TrackReference.id(from: text) else {
            throw .invalidField(field, "\"\(text.prefix(80))\" is not a track id")
        }
        return id
    }

    mutating func list(_ key: String, max: Int) throws(ProtocolError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw .invalidField(key, "must be an array, found \(value.typeName)") }
        guard elements.count <= max else { throw .invalidField(key, "has \(elements.count) entries; at most \(max) are allowed") }
        return elements
    }

    mutating func trackList(_ key: String) throws(ProtocolError) -> [String]? {
        guard let elements = try list(key, max: limits.maxTracks) else { return nil }
        var ids: [String] = []
        ids.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() {
            ids.append(try Self.trackID(element, field: "\(key)[\(position)]"))
        }
        return ids
    }

    mutating func history() throws(ProtocolError) -> [HistoryItem] {
        guard let elements = try list("history", max: limits.maxHistory) else { return [] }
        var items: [HistoryItem] = []
        items.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() {
            let field = "history[\(position)]"
            if case .object(let entry) = element {
                var entryFields = Fields(object: entry, limits: limits)
                guard let trackValue = entryFields.value("track") else { throw .invalidField("\(field).track", "is required") }
                let track = try Self.trackID(trackValue, field: "\(field).track")
                var weight = 1.0
                if let weightValue = entryFields.value("weight") {
                    guard case .number(let number) = weightValue, number.value.isFinite, number.value > 0,
                        number.value <= 1e6
                    else { throw .invalidField("\(field).weight", "must be a number greater than 0 and at most 1e6") }
                    weight = number.value
                }
                if let extra = entry.keys.first(where: { !entryFields.consumed.contains($0) }) {
                    throw .invalidField("\(field).\(extra)", "unknown field; a history entry has track and weight")
                }
                items.append(HistoryItem(track: track, weight: weight))
            } else {
                items.append(HistoryItem(track: try Self.trackID(element, field: field)))
            }
        }
        return items
    }

    /// One play: `track` (required), `ms_played`, `ts`, `skipped`, `event_id`;
    /// `prefix` names the entry in messages (`events[3].`).
    mutating func play(prefix: String) throws(ProtocolError) -> PlayEvent {
        guard let trackValue = value("track") else { throw .invalidField("\(prefix)track", "is required") }
        var play = PlayEvent(track: try Self.trackID(trackValue, field: "\(prefix)track"))
        do throws(ProtocolError) {
            play.msPlayed = try integer("ms_played", in: 0...(86_400_000 * 7))
            if let text = try string("ts") {
                guard let date = ISO8601Timestamp.parse(text) else {
                    throw ProtocolError.invalidField("ts", "must be an ISO-8601 timestamp such as 2024-05-01T12:30:00Z")
                }
                play.timestamp = date
            }
            play.skipped = try bool("skipped")
            if let id = try string("event_id") {
                guard !id.isEmpty, id.utf8.count <= 256 else {
                    throw ProtocolError.invalidField("event_id", "must be a string of 1 to 256 bytes")
                }
                play.eventID = id
            }
        } catch {
            throw ProtocolError(error.code, prefix + error.message)
        }
        return play
    }

    mutating func filter() throws(ProtocolError) -> ResultFilter {
        guard let value = value("filter") else { return ResultFilter() }
        guard case .object(let object) = value else { throw .invalidField("filter", "must be an object, found \(value.typeName)") }
        var inner = Fields(object: object, limits: limits)
        var filter = ResultFilter()
        if let genres = try inner.list("genres", max: 1000) {
            for (position, genre) in genres.enumerated() {
                guard case .string(let name) = genre else {
                    throw .invalidField("filter.genres[\(position)]", "must be a string, found \(genre.typeName)")
                }
                filter.genres.append(name)
            }
        }
        filter.explicit = try inner.bool("explicit")
        if let extra = object.keys.first(where: { !inner.consumed.contains($0) }) {
            throw .invalidField("filter.\(extra)", "unknown field; filter has genres and explicit")
        }
        return filter
    }

    func rejectUnknown(op: Op) throws(ProtocolError) {
        if let extra = object.keys.first(where: { !consumed.contains($0) }) {
            throw .invalidField(extra, "unknown field for op \(op.rawValue)")
        }
    }
}
