/// A decoder that reads as the JSON object `{}`: lets a type with all-optional members, or
/// `Empty`, be built when a request leaves out `params`.
struct EmptyObjectDecoder: Decoder {
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(EmptyKeyedContainer<Key>(codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "expected an array, found {}"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "expected a value, found {}"))
    }
}

private struct EmptyKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    var codingPath: [any CodingKey]
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { false }

    func decodeNil(forKey key: Key) throws -> Bool { true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "params is missing"))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "params is missing"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "params is missing"))
    }

    func superDecoder() throws -> any Decoder { EmptyObjectDecoder(codingPath: codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { EmptyObjectDecoder(codingPath: codingPath + [key]) }
}
