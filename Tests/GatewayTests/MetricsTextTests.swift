import Testing

@testable import GatewayService

@Suite("One scrape from many processes")
struct MetricsTextTests {
    @Test(
        "a sample gets its source's labels",
        arguments: [
            (
                "rpc_server_requests_total{method=\"pool.take\",outcome=\"ok\"} 3",
                "rpc_server_requests_total{service=\"pool\",instance=\"p1\",method=\"pool.take\",outcome=\"ok\"} 3"
            ),
            ("stream_sockets 2", "stream_sockets{service=\"pool\",instance=\"p1\"} 2"),
            ("up{} 1", "up{service=\"pool\",instance=\"p1\"} 1"),
            (
                "outbox_lag_seconds_bucket{le=\"+Inf\"} 7 1700000000",
                "outbox_lag_seconds_bucket{service=\"pool\",instance=\"p1\",le=\"+Inf\"} 7 1700000000"
            ),
        ])
    func labelled(line: String, expected: String) {
        #expect(MetricsText.labelled(line[...], prefix: "service=\"pool\",instance=\"p1\"") == expected)
    }

    @Test("a family is written once, with every source's samples under one HELP and TYPE")
    func merge() {
        let one = """
            # HELP rpc_server_requests_total Requests.
            # TYPE rpc_server_requests_total counter
            rpc_server_requests_total{method="a"} 1
            # TYPE rpc_server_duration_seconds histogram
            rpc_server_duration_seconds_bucket{le="0.1"} 1
            rpc_server_duration_seconds_sum 0.05
            rpc_server_duration_seconds_count 1
            """
        let two = """
            # HELP rpc_server_requests_total Requests.
            # TYPE rpc_server_requests_total counter
            rpc_server_requests_total{method="b"} 2
            loose_total 5
            """
        let merged = MetricsText.merge([
            .init(labels: [("service", "pool"), ("instance", "p1")], text: one),
            .init(labels: [("service", "pool"), ("instance", "p\"2")], text: two),
        ])
        #expect(
            merged == """
                # HELP rpc_server_requests_total Requests.
                # TYPE rpc_server_requests_total counter
                rpc_server_requests_total{service="pool",instance="p1",method="a"} 1
                rpc_server_requests_total{service="pool",instance="p\\"2",method="b"} 2
                # TYPE rpc_server_duration_seconds histogram
                rpc_server_duration_seconds_bucket{service="pool",instance="p1",le="0.1"} 1
                rpc_server_duration_seconds_sum{service="pool",instance="p1"} 0.05
                rpc_server_duration_seconds_count{service="pool",instance="p1"} 1
                loose_total{service="pool",instance="p\\"2"} 5

                """)
    }
}
