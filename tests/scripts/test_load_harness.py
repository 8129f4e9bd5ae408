"""The load-test harness's pure parts: wrk's report line, the submissions read back, the table."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from load.report import Row, add_ratios, describe_failures, percentile, table  # noqa: E402
from load.scenarios import build, rss_paths  # noqa: E402
from load.submissions import parse_lines  # noqa: E402
from load.wrk import WrkError, parse_output  # noqa: E402

#: As paths.lua printed it, after wrk's own summary, on a run where half the paths were missing.
WRK_STDOUT = """Running 1s test @ http://127.0.0.1:8855
  2 threads and 2 connections
Requests/sec:   1332.63
WRK_JSON {"duration_us":1097080,"requests":1462,"counters":{"repeated":1462},"latency_us":{"p99":18110,\
"max":28610,"p50":925,"mean":2165.74,"p95":7384},"bytes":525475,"errors":{"status":757,"connect":0,"timeout":3,\
"read":0,"write":0},"statuses":{"200":705,"404":757}}
"""


def test_the_report_line_gives_rates_latencies_in_ms_and_statuses():
    result = parse_output(WRK_STDOUT)
    assert result.requests == 1462
    assert result.rate == pytest.approx(1332.6, abs=0.1)
    assert (result.p50, result.p95, result.p99) == (0.925, 7.384, 18.11)
    assert result.socket_errors == {"status": 757, "timeout": 3}
    assert result.unexpected({200}) == {404: 757}
    assert result.counters == {"repeated": 1462}


def test_a_run_with_empty_tables_and_none_without_the_line():
    line = ('WRK_JSON {"duration_us":5000000,"requests":0,"counters":{},"latency_us":{"p99":0,"max":0,"p50":0,'
            '"mean":0,"p95":0},"bytes":0,"errors":{"status":0,"connect":0,"timeout":0,"read":0,"write":0},'
            '"statuses":{}}')
    result = parse_output(line)
    assert result.requests == 0 and result.statuses == {} and result.socket_errors == {}
    with pytest.raises(WrkError, match="no figures"):
        parse_output("unable to connect to 127.0.0.1:8850 Connection refused\n")


def test_failures_are_told_in_words_without_counting_statuses_twice():
    assert describe_failures({}) == "0"
    assert describe_failures({500: 3, 404: 1}, {"status": 4, "timeout": 2}, {"refused (post)": 1}) == (
        "1 × 404, 3 × 500, 2 timeouts, 1 refused (post)")


def test_percentiles_are_nearest_rank():
    values = list(range(1, 21))
    assert percentile(values, 0.5) == 10
    assert percentile(values, 0.95) == 19
    assert percentile(values, 0.99) == 20
    assert percentile([], 0.95) == 0.0


def test_submissions_read_back_acknowledgements_and_refusals():
    found = parse_lines([
        "ack AbC-123 41.500 20.250\n",
        "ack 17 12.000 8.000\n",
        "refused post 200 Votre question doit compter au moins 20 caractères.\n",
        "refused rate_limited 429 \n",
    ])
    assert found.acknowledged == [("AbC-123", 41.5, 20.25), ("17", 12.0, 8.0)]
    assert dict(found.refused) == {"post": 1, "rate_limited": 1}
    assert found.samples == ["post 200 « Votre question doit compter au moins 20 caractères. »", "rate_limited 429"]


def test_ratios_divide_by_the_mean_of_the_baseline_loads():
    rows = [Row("constant", "baseline", 1000, 1, 2, 3, key="constant"),
            Row("/ cached", "product", 600, 2, 4, 6, key="cached-home", baseline="constant"),
            Row("/?page=300 uncached", "product", 10, 90, 150, 200, key="uncached", baseline=None),
            Row("constant, again", "baseline", 1400, 1, 2, 3, key="constant"),
            Row("no answer", "product", 0, None, None, None, "none answered within 10 s", key="slow")]
    add_ratios(rows)
    assert rows[1].ratio == pytest.approx(0.5)
    assert rows[0].ratio is None and rows[2].ratio is None
    lines = table(rows).splitlines()
    assert lines[0].startswith("| scenario | server | rate | median ms | p95 ms | p99 ms | failures | × baseline |")
    assert lines[3] == "| / cached | product | 600 req/s | 2.00 | 4.00 | 6.00 | 0 | 0.50 |"
    assert lines[6] == "| no answer | product | 0.0 req/s | — | — | — | none answered within 10 s | — |"


def test_every_scenario_has_its_path_file_and_a_baseline_that_runs(tmp_path):
    scenarios = build(tmp_path, 42, 8, "1", ["59", "2A"])
    keys = [scenario.key for scenario in scenarios]
    assert len(keys) == len(set(keys))
    rate_keys = {scenario.rate_key for scenario in scenarios}
    assert {scenario.baseline for scenario in scenarios} - {None} <= rate_keys
    for scenario in scenarios:
        for argument in scenario.arguments:
            name, _, value = argument.partition("=")
            if name == "paths":
                assert Path(value).read_text().strip()
    api = next(scenario for scenario in scenarios if scenario.key == "api-search-national")
    paths = Path(api.arguments[0].partition("=")[2]).read_text().split()
    assert len(paths) == len(set(paths)) >= 1000
    assert all("?q=" in path and "&page=" in path and " " not in path for path in paths)


def test_the_memory_measure_mixes_cached_and_distinct_paths():
    paths = rss_paths(42, 10_000)
    assert len(paths) == 10_000
    distinct = [path for index, path in enumerate(paths, 1) if index % 10 == 0]
    assert len(set(distinct)) == 1000
    assert "/forums/42" in paths


def test_every_scenario_is_warmed_so_that_none_measures_new_workers(tmp_path):
    assert all(scenario.warmup for scenario in build(tmp_path, 7, 4, "1", ["59"]))


def test_the_warm_up_of_distinct_paths_asks_them_from_the_end(tmp_path):
    from load_test import warmup_arguments

    scenarios = {scenario.key: scenario for scenario in build(tmp_path, 7, 4, "1", ["59"])}
    distinct = scenarios["api-pages"]
    arguments = warmup_arguments(distinct, tmp_path)
    measured = Path(dict(arg.split("=", 1) for arg in distinct.arguments)["paths"]).read_text().splitlines()
    warmed = Path(dict(arg.split("=", 1) for arg in arguments)["paths"]).read_text().splitlines()
    assert warmed == measured[::-1] and warmed[0] != measured[0]
    assert [arg for arg in arguments if not arg.startswith("paths=")] == [
        arg for arg in distinct.arguments if not arg.startswith("paths=")]
    assert warmup_arguments(scenarios["uncached-home"], tmp_path) == scenarios["uncached-home"].arguments
