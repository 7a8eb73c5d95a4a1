import Foundation
import Hummingbird
import Logging
import Runtime
import Storage
import Testing

@testable import GatewayService

@Suite("The OpenAPI document")
struct OpenAPITests {
    @Test("lists exactly the gateway's routes")
    func matchesRouter() throws {
        // Nothing here connects: the pool connects lazily and clients only run when started.
        let configuration = try Configuration(environment: ["DATABASE_URL": "host=/nonexistent dbname=none"])
        let database = Database(url: configuration.databaseURL, size: 1, logger: Logger(label: "test"))
        defer { database.close() }
        let router = Gateway.makeRouter(
            database: database, backends: Backends(configuration: configuration, logger: Logger(label: "test")),
            identity: IdentityStore(database: database), passwords: Passwords(), configuration: configuration,
            settings: try GatewayConfiguration(environment: [:]))
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = Set(OpenAPI.operations.map { "\($0.method.rawValue) \($0.path)" })
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
    }

    @Test("is an OpenAPI 3.1 document whose references all resolve")
    func wellFormed() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPI.json.readableBytesView)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let text = String(decoding: Data(OpenAPI.json.readableBytesView), as: UTF8.self)
        let references = text.components(separatedBy: "#/components/schemas/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(!references.isEmpty)
        #expect(references.filter { schemas[$0] == nil } == [])
    }
}
