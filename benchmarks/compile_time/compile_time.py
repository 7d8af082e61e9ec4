#!/usr/bin/env python3
"""How long a user's translation units take to compile, against a floor.

Compiles, with the machine's compiler, each of
  floor.cpp       one HTTPS GET in a coroutine: Beast, Asio SSL, Boost.JSON, Boost.URL
  oauth_only.cpp  (a) oauth/oauth.hpp and nothing else
  consumer.cpp    (b) a provider of one's own, Manager<1>, SQLite, the authorized client
  builtins.cpp    (c) Manager over the four built-in providers, each operation used
in Debug and in Release (CMake's flags for each), header-only and in compiled mode
(the definitions the oauth::compiled target adds), and prints each time as a ratio to the
floor's in the same configuration and round (the floor is compiled before and after
each configuration's TUs; the ratio is the median over rounds). Times are the compiler's
CPU time (user + system), the median of the rounds, which this machine's load sways less
than wall time.

  compile_time.py [--cxx c++] [--repetitions 3] [--json FILE]
  compile_time.py --check   (a), (b) and (c), syntax only, in both modes: they still compile,
                            and with -Wall -Wextra -Wpedantic -Werror (a test)
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
INCLUDE = HERE.parents[1] / "include"

FLOOR = ("floor", "floor.cpp", "HTTPS GET on Beast + Asio SSL + JSON + URL")
TUS = [
    ("a", "oauth_only.cpp", "oauth/oauth.hpp only"),
    ("b", "consumer.cpp", "own provider, Manager<1>, SQLite, client"),
    ("c", "builtins.cpp", "Manager over the 4 built-in providers"),
]
CONFIGS = {"Debug": ["-g"], "Release": ["-O3", "-DNDEBUG"]}
MODES = {
    "header-only": [],
    # What oauth::compiled sets, with the sqlite component: (b) links oauth::sqlite.
    "compiled": ["-DOAUTH_SEPARATE_COMPILATION", "-DBOOST_ASIO_SEPARATE_COMPILATION",
                 "-DBOOST_BEAST_SEPARATE_COMPILATION", "-DOAUTH_COMPILED_SQLITE"],
}
# The targets for (b): a ratio to the floor, per mode.
TARGETS = {("b", "compiled"): 0.5, ("b", "header-only"): 1.3}


def compile_seconds(cxx, source, flags, out_dir, syntax_only=False):
    """CPU seconds the compiler took for one TU; raises on a compile error."""
    command = [cxx, "-std=c++20", f"-I{INCLUDE}", *flags]
    command += ["-fsyntax-only", str(source)] if syntax_only else ["-c", str(source), "-o", str(out_dir / "tu.o")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read().decode(errors="replace")
    process.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"compile_time: {source.name} {' '.join(flags)} failed:\n{output}")
    return usage.ru_utime + usage.ru_stime


def run(cxx, repetitions, json_path):
    results, ratios = {}, {}
    with tempfile.TemporaryDirectory() as out:
        out = pathlib.Path(out)

        def timed(round_, name, source, config, mode):
            seconds = compile_seconds(cxx, HERE / source, CONFIGS[config] + (MODES[mode] if mode else []), out)
            print(f"  round {round_ + 1}/{repetitions}: {name} {config} {mode or ''} {seconds:.1f} s",
                  file=sys.stderr, flush=True)
            return seconds

        # This machine's speed drifts by a third over minutes: each configuration's TUs are
        # compiled between two runs of the floor, and each is compared with their mean, in
        # its own round; the ratio reported is the median of those.
        for round_ in range(repetitions):
            for config in CONFIGS:
                before = timed(round_, FLOOR[0], FLOOR[1], config, None)
                times = {(name, config, mode): timed(round_, name, source, config, mode)
                         for name, source, _ in TUS for mode in MODES}
                floor = (before + timed(round_, FLOOR[0], FLOOR[1], config, None)) / 2
                results.setdefault((FLOOR[0], config, None), []).append(floor)
                ratios.setdefault((FLOOR[0], config, None), []).append(1.0)
                for key, seconds in times.items():
                    results.setdefault(key, []).append(seconds)
                    ratios.setdefault(key, []).append(seconds / floor)
    median = {key: statistics.median(times) for key, times in results.items()}
    median_ratio = {key: statistics.median(values) for key, values in ratios.items()}

    version = subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    print(f"Compile time with {version}, CPU seconds, median of {repetitions}; "
          "ratio to the floor, median of the rounds'")
    print(f"{'TU':58} {'Debug':>8} {'ratio':>6} {'Release':>8} {'ratio':>6}")
    rows = [(FLOOR[0], FLOOR[2], None)] + [(name, what, mode) for name, _, what in TUS for mode in MODES]
    report, missed = [], []
    for name, what, mode in rows:
        label = f"{name if name == 'floor' else '(' + name + ')'} {what}" + (f" [{mode}]" if mode else "")
        cells = []
        entry = {"tu": name, "mode": mode}
        for config in CONFIGS:
            seconds = median[(name, config, mode)]
            ratio = median_ratio[(name, config, mode)]
            cells.append(f"{seconds:8.1f} {ratio:6.2f}")
            entry[config] = {"seconds": seconds, "ratio_to_floor": ratio}
            target = TARGETS.get((name, mode))
            if target is not None and ratio > target:
                missed.append(f"({name}) {mode} {config}: {ratio:.2f}x the floor, target {target}x")
        report.append(entry)
        print(f"{label:58} {' '.join(cells)}")
    for (name, mode), target in TARGETS.items():
        print(f"target: ({name}) {mode} at most {target}x the floor")
    for line in missed:
        print(f"missed: {line}")
    if json_path:
        pathlib.Path(json_path).write_text(json.dumps({"compiler": version, "repetitions": repetitions,
                                                       "results": report, "missed": missed}, indent=2))


# A user's own warnings, which the library's headers must not set off.
WARNINGS = ["-Wall", "-Wextra", "-Wpedantic", "-Werror"]


def check(cxx):
    """The TUs compile, without a warning (syntax only: what the compiler's front end says)."""
    with tempfile.TemporaryDirectory() as out:
        for _, source, _ in TUS:
            for mode in MODES.values():
                compile_seconds(cxx, HERE / source, WARNINGS + mode, pathlib.Path(out), syntax_only=True)
    print("compile_time: (a), (b) and (c) compile without a warning, header-only and compiled")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cxx", default=os.environ.get("CXX") or shutil.which("c++") or "g++")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--json")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        check(args.cxx)
    else:
        run(args.cxx, args.repetitions, args.json)


if __name__ == "__main__":
    main()
