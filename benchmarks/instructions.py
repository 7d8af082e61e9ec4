#!/usr/bin/env python3
"""Instructions per item of benchmarks and of their floors, counted by callgrind.

Wall times on a shared machine swing by a third between runs; callgrind's instruction
counts do not. This runs one benchmark binary under callgrind: each benchmark that makes
an InstructionCount (benchmarks/instruction_count.hpp) dumps the instructions its timed
loop ran, on every thread, as "<name> items=<n>". Google Benchmark runs a benchmark a few
times with more iterations each; what one more item costs is the difference between the
two largest runs of a name over the difference of their items, so that what a run costs
once (its first call, the other threads' housekeeping) is not spread over the items.
BM_<Subject>_<Operation>/<args> is then set beside BM_Floor_<Operation>/<args> as
ratios.py does with times. Cryptography runs the code paths OpenSSL picks for the
processor valgrind emulates, the same for both sides of a ratio.

  benchmarks/instructions.py BINARY [BENCHMARK_FILTER]
  benchmarks/instructions.py --self-test
"""
import pathlib
import re
import subprocess
import sys
import tempfile

from ratios import floor_of

LABEL = re.compile(r"^desc: Trigger: Client Request: (?P<name>\S+) items=(?P<items>\d+)$")
TOTAL = re.compile(r"^(?:summary|totals): (?P<count>\d+)")


def dump_number(path):
    suffix = path.name.rsplit(".", 1)[-1]
    return int(suffix) if suffix.isdigit() else 0


def dumps(directory):
    """Instructions one more item costs, for each name dumped at least twice."""
    runs = {}
    for path in sorted(directory.glob("callgrind.out*"), key=dump_number):
        name = items = count = None
        with open(path, errors="replace") as f:
            for line in f:
                if (m := LABEL.match(line.rstrip("\n"))):
                    name, items = m["name"], int(m["items"])
                elif (m := TOTAL.match(line)) and count is None:
                    count = int(m["count"])
        if name and items and count is not None:
            runs.setdefault(name, []).append((items, count))
    per_item = {}
    for name, counted in runs.items():
        counted.sort()
        if len(counted) < 2:
            continue
        (fewer, fewer_count), (most, most_count) = counted[-2], counted[-1]
        if most > fewer:
            per_item[name] = (most_count - fewer_count) / (most - fewer)
    return per_item


def report(per_item):
    lines = []
    for name, value in sorted(per_item.items()):
        floor_name = floor_of(name)
        if floor_name is None:
            continue
        if floor_name not in per_item:
            lines.append(f"{name:40s} {value:10.0f} Ir/item  (no floor)")
            continue
        floor = per_item[floor_name]
        lines.append(f"{name:40s} {value:10.0f} Ir/item  floor {floor:10.0f} Ir/item  ratio {value / floor:5.2f}x")
    return lines


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary, pattern = argv[1], (argv[2] if len(argv) > 2 else ".")
    with tempfile.TemporaryDirectory() as scratch:
        directory = pathlib.Path(scratch)
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={directory}/callgrind.out",
                              binary, f"--benchmark_filter={pattern}", "--benchmark_min_time=0.2"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            print(run.stderr[-2000:], file=sys.stderr)
            return 1
        per_item = dumps(directory)
    if not per_item:
        print("no counted benchmark ran (is valgrind/callgrind.h installed where it was built?)", file=sys.stderr)
        return 1
    print("\n".join(report(per_item)))
    return 0


def self_test():
    """What a run costs once is taken off; each subject is set beside its own floor; a name
    run once cannot tell the two apart and is left out."""
    runs = [("BM_Floor_Get/1", 1, 5000), ("BM_Floor_Get/1", 10, 5900), ("BM_Floor_Get/1", 100, 14900),
            ("BM_Blocking_Get/1", 1, 9000), ("BM_Blocking_Get/1", 100, 21000), ("BM_Blocking_Get/1", 1000, 129000),
            ("BM_Lone_Get/1", 5, 10)]
    with tempfile.TemporaryDirectory() as scratch:
        directory = pathlib.Path(scratch)
        (directory / "callgrind.out").write_text("desc: Trigger: Program termination\nsummary: 1\n")
        for number, (name, items, count) in enumerate(runs, start=1):
            (directory / f"callgrind.out.{number}").write_text(
                f"version: 1\ndesc: Trigger: Client Request: {name} items={items}\nsummary: {count}\n")
        lines = report(dumps(directory))
    expected = ["BM_Blocking_Get/1 120 Ir/item floor 100 Ir/item ratio 1.20x"]
    ok = [" ".join(line.split()) for line in lines] == expected
    print("instructions self-test: " + ("ok" if ok else "FAILED\n" + "\n".join(lines)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(self_test() if sys.argv[1:] == ["--self-test"] else main(sys.argv))
