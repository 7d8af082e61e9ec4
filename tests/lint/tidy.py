#!/usr/bin/env python3
"""clang-tidy finds nothing in the library.

Runs clang-tidy with the checks of the root's .clang-tidy over
tests/lint/every_template.cpp, which includes every public header and instantiates
the templates, and fails on any finding in include/oauth/ (the library has none, so any
finding is a new one). `--self-test` runs it over a file with a finding, which must fail.

  tidy.py CLANG_TIDY [COMPILER_FLAG...]
  tidy.py CLANG_TIDY --self-test
"""
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
FINDING = re.compile(r"^(.*?):(\d+):(\d+): (?:warning|error): (.*) \[([\w.,-]+)\]$", re.M)


def findings(clang_tidy, source, flags):
    """The findings of one run, and the run's output when it could not check at all."""
    command = [clang_tidy, "--quiet", f"--config-file={ROOT / '.clang-tidy'}", str(source), "--",
               "-std=c++20", f"-I{ROOT / 'include'}", *flags]
    run = subprocess.run(command, capture_output=True, text=True)
    found = FINDING.findall(run.stdout)
    if run.returncode != 0 and not found:
        raise SystemExit(f"tidy: clang-tidy failed without a finding:\n{run.stdout}{run.stderr}")
    return found


def self_test(clang_tidy):
    with tempfile.TemporaryDirectory() as scratch:
        source = pathlib.Path(scratch) / "copies.cpp"
        source.write_text("#include <string>\n"
                          "std::size_t length(std::string text) { return text.size(); }\n")
        found = findings(clang_tidy, source, [])
    if not any(check == "performance-unnecessary-value-param" for *_, check in found):
        raise SystemExit(f"tidy self-test: a needless copy was not reported: {found}")
    print("tidy self-test: a finding fails the check")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    clang_tidy, flags = sys.argv[1], sys.argv[2:]
    if flags == ["--self-test"]:
        return self_test(clang_tidy)
    found = findings(clang_tidy, ROOT / "tests/lint/every_template.cpp", flags)
    for path, line, column, message, check in found:
        where = pathlib.Path(path).resolve()
        # A finding in a library header (Boost's) is reached through the code checked here.
        shown = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
        print(f"{shown}:{line}:{column}: {message} [{check}]")
    if found:
        raise SystemExit(f"tidy: {len(found)} finding(s); fix them, or say in .clang-tidy why a check is off")
    print("tidy: no finding in include/oauth/")


if __name__ == "__main__":
    main()
