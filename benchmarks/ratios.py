#!/usr/bin/env python3
"""Prints each benchmark against its floor, from Google Benchmark JSON files.

Naming convention: BM_<Subject>_<Operation>/<args> is compared with
BM_Floor_<Operation>/<args> from the same file. Medians of the repetitions are used.
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
        out[run["run_name"]] = run["real_time"] * NANOSECONDS[run["time_unit"]]
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
            floor = times[floor_name]
            print(f"{name:40s} {time:10.0f} ns   floor {floor:10.0f} ns   ratio {time / floor:5.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
