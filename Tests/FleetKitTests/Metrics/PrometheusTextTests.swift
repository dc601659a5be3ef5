import FleetKit
import FleetTestSupport
import Testing

@Suite(.tags(.unit)) struct PrometheusTextTests {
    @Test func familiesWithEscapedLabelsAndHelp() {
        let page = PrometheusText.render([
            MetricFamily(name: "jobs_total", help: "Jobs run\\done\nsince start", kind: .counter,
                         samples: [MetricSample([("host", "a\"b\\c\nd"), ("kind", "x")], value: 3)]),
            MetricFamily(name: "temperature", help: "Degrees", samples: [MetricSample(value: 21.5)]),
            MetricFamily(name: "empty", help: "Nothing yet", samples: []),
        ])
        #expect(page == """
            # HELP jobs_total Jobs run\\\\done\\nsince start
            # TYPE jobs_total counter
            jobs_total{host="a\\"b\\\\c\\nd",kind="x"} 3
            # HELP temperature Degrees
            # TYPE temperature gauge
            temperature 21.5
            # HELP empty Nothing yet
            # TYPE empty gauge

            """)
    }

    @Test func valuesAsTheFormatSpellsThem() {
        #expect(PrometheusText.format(0) == "0")
        #expect(PrometheusText.format(-7) == "-7")
        #expect(PrometheusText.format(1_700_000_000) == "1700000000")
        #expect(PrometheusText.format(0.25) == "0.25")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(1e20) == "1e+20")
    }

    @Test func problemsOfBadNamesAndDuplicates() {
        let families = [
            MetricFamily(name: "9starts_with_digit", help: "", samples: []),
            MetricFamily(name: "ok", help: "", samples: [MetricSample([("bad-label", "v")], value: 1), MetricSample([("__reserved", "v")], value: 1)]),
            MetricFamily(name: "ok", help: "", samples: []),
            MetricFamily(name: "twice", help: "", samples: [MetricSample([("a", "1")], value: 1), MetricSample([("a", "1")], value: 2)]),
        ]
        let problems = PrometheusText.problems(in: families)
        #expect(problems.count == 5, "\(problems)")
        #expect(problems.contains("'9starts_with_digit' is not a valid metric name"))
        #expect(problems.contains("ok: 'bad-label' is not a valid label name"))
        #expect(problems.contains("ok is written twice"))
        #expect(PrometheusText.problems(in: [MetricFamily(name: "a:b_c", help: "", samples: [MetricSample([("_x1", "")], value: 0)])]).isEmpty)
    }
}
