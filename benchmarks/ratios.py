#!/usr/bin/env python3
"""Prints each benchmark against its floor, from Google Benchmark JSON files.

Naming convention: BM_<Subject>_<Operation>/<args> is compared with
BM_Floor_<Operation>/<args> from the same file. Medians of the repetitions are used; a
benchmark with a bytes_per_credential counter is compared on that instead of time. A run
that failed (SkipWithError) has no time to compare: it is reported as failed, its floor's
ratio is not printed, and the exit status is 1.
"""
import json
import sys


NANOSECONDS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}


def medians(path):
    """Median real time in nanoseconds of each benchmark in one file, and the names of
    those that failed."""
    with open(path) as f:
        runs = json.load(f)["benchmarks"]
    out, failed = {}, set()
    for run in runs:
        if run.get("error_occurred"):
            failed.add(run["run_name"])
            continue
        if run.get("run_type") == "aggregate" and run.get("aggregate_name") != "median":
            continue
        if "bytes_per_credential" in run:
            out[run["run_name"]] = ("bytes", run["bytes_per_credential"])
        else:
            out[run["run_name"]] = ("ns", run["real_time"] * NANOSECONDS[run["time_unit"]])
    for name in failed:
        out.pop(name, None)
    return out, failed


def floor_of(name):
    """BM_Floor_<Operation>/<args> for BM_<Subject>_<Operation>/<args>; None for a floor."""
    head, _, args = name.partition("/")
    parts = head.split("_", 2)
    if len(parts) != 3 or parts[1] == "Floor":
        return None
    return f"BM_Floor_{parts[2]}" + (f"/{args}" if args else "")


def main(paths):
    status = 0
    for path in paths:
        times, failed = medians(path)
        for name in sorted(failed):
            print(f"{name:44s} FAILED: no ratio")
            status = 1
        for name, time in sorted(times.items()):
            floor_name = floor_of(name)
            if floor_name not in times:
                continue
            unit, value = time
            floor = times[floor_name][1]
            print(f"{name:44s} {value:10.0f} {unit:5s} floor {floor:10.0f} {unit:5s} ratio {value / floor:5.2f}x")
    return status


def self_test():
    """A failed run gets no ratio and fails the report; the others are compared."""
    import contextlib, io, os, tempfile
    runs = [{"run_name": "BM_Store_Find/1", "run_type": "iteration", "real_time": 10, "time_unit": "ns"},
            {"run_name": "BM_Floor_Find/1", "run_type": "iteration", "real_time": 5, "time_unit": "ns"},
            {"run_name": "BM_Store_Refresh", "run_type": "iteration", "error_occurred": True, "real_time": 0,
             "time_unit": "ns"},
            {"run_name": "BM_Floor_Refresh", "run_type": "iteration", "real_time": 5, "time_unit": "ns"}]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"benchmarks": runs}, f)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            status = main([f.name])
    finally:
        os.unlink(f.name)
    text = out.getvalue()
    ok = status == 1 and "BM_Store_Refresh" in text and "FAILED" in text and "ratio  2.00x" in text \
        and text.count(" floor ") == 1
    print("ratios self-test: " + ("ok" if ok else "FAILED\n" + text))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(self_test() if sys.argv[1:] == ["--self-test"] else main(sys.argv[1:]))
