"""The load-test harness driven by scripts/load_test.py: wrk scenarios, servers, bench checks, report."""
