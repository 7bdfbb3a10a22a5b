"""The benchmark's reading of wrk's report (bench/run.py): a wrong percentile is a wrong table."""

from bench import run

REPORT = """Running 5s test @ http://127.0.0.1:8301/v1/figures/fig-0000123
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    25.42ms   39.37ms 212.94ms   89.50%
    Req/Sec   605.68    271.46     0.89k    78.99%
  Latency Distribution
     50%   11.86ms
     75%   17.30ms
     90%   72.24ms
     99%  188.45ms
  1165 requests in 2.02s, 2.02MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    575.57
"""


def test_percentiles_come_from_the_distribution_not_the_stdev_column(monkeypatch):
    # "89.50%" in the Latency line once read as the 50th percentile ("Req/Sec" -> nan).
    monkeypatch.setattr(
        run.subprocess, "run", lambda *a, **k: type("Done", (), {"stdout": REPORT})()
    )
    result = run.wrk("http://127.0.0.1:1/", 5, 8)
    assert (result.rps, result.p50_ms, result.p99_ms, result.errors) == (575.57, 11.86, 188.45, 3)


def test_units_of_latency():
    assert [run._ms(t) for t in ("883.00us", "1.50ms", "2.00s")] == [0.883, 1.5, 2000.0]
