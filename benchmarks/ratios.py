#!/usr/bin/env python3
"""Prints each benchmark against its floor, from Google Benchmark JSON files.

Naming convention: BM_<Subject>_<Operation>/<args> is compared with
BM_Floor_<Operation>/<args> from the same file. Medians of the repetitions are used; a
benchmark with a bytes_per_credential counter is compared on that instead of time.
"""
import json
import sys


NANOSECONDS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}


def medians(path):
    """Median real time in nanoseconds of each benchmark in one file."""
    with open(path) as f:
        runs = json.load(f)["benchmarks"]
    out = {}
    for run in runs:
        if run.get("run_type") == "aggregate" and run.get("aggregate_name") != "median":
            continue
        if "bytes_per_credential" in run:
            out[run["run_name"]] = ("bytes", run["bytes_per_credential"])
        else:
            out[run["run_name"]] = ("ns", run["real_time"] * NANOSECONDS[run["time_unit"]])
    return out


def main(paths):
    for path in paths:
        times = medians(path)
        for name, time in sorted(times.items()):
            head, _, args = name.partition("/")
            parts = head.split("_", 2)
            if len(parts) != 3 or parts[1] == "Floor":
                continue
            floor_name = f"BM_Floor_{parts[2]}" + (f"/{args}" if args else "")
            if floor_name not in times:
                continue
            unit, value = time
            floor = times[floor_name][1]
            print(f"{name:44s} {value:10.0f} {unit:5s} floor {floor:10.0f} {unit:5s} ratio {value / floor:5.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
