/// Builds response lines (each ends with `\n`).
public enum Response {
    /// `{"id":…,"ok":true,"result":…}\n`
    public static func success(id: JSONValue, result: JSONValue, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONWriter.write(id, into: &out)
        out.append(contentsOf: #","ok":true,"result":"#.utf8)
        JSONWriter.write(result, into: &out)
        out.append(contentsOf: "}\n".utf8)
    }

    /// `{"id":…,"ok":false,"error":{"code":…,"message":…}}\n`
    public static func failure(id: JSONValue, error: ProtocolError, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONWriter.write(id, into: &out)
        out.append(contentsOf: #","ok":false,"error":{"code":"#.utf8)
        JSONWriter.writeString(error.code.rawValue, into: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONWriter.writeString(error.message, into: &out)
        out.append(contentsOf: "}}\n".utf8)
    }
}
