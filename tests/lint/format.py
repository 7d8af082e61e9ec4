#!/usr/bin/env python3
"""Every C++ file of the project is laid out as .clang-format says.

Checks the .hpp, .ipp and .cpp files under include/, examples/, tests/ and benchmarks/
with clang-format, and names each file that differs (`clang-format -i FILE` fixes it).
`--self-test` checks a badly laid-out file, which must fail.

  format.py CLANG_FORMAT
  format.py CLANG_FORMAT --self-test
"""
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
FOLDERS = ["include", "examples", "tests", "benchmarks"]
SUFFIXES = {".hpp", ".ipp", ".cpp"}


def sources():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in SUFFIXES and "node_modules" not in path.parts:
                yield path


def unformatted(clang_format, paths):
    """The paths whose layout clang-format would change."""
    differ = []
    for path in paths:
        run = subprocess.run([clang_format, f"--style=file:{ROOT / '.clang-format'}", str(path)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"format: clang-format failed on {path}:\n{run.stderr}")
        if run.stdout != path.read_text():
            differ.append(path)
    return differ


def self_test(clang_format):
    with tempfile.TemporaryDirectory() as scratch:
        path = pathlib.Path(scratch) / "messy.cpp"
        path.write_text("int  main( ){return 0;}\n")
        if unformatted(clang_format, [path]) != [path]:
            raise SystemExit("format self-test: a badly laid-out file passed")
    print("format self-test: a badly laid-out file fails the check")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    clang_format = sys.argv[1]
    if sys.argv[2:] == ["--self-test"]:
        return self_test(clang_format)
    paths = list(sources())
    differ = unformatted(clang_format, paths)
    for path in differ:
        print(f"{path.relative_to(ROOT)}: not as .clang-format lays it out (clang-format -i fixes it)")
    if differ:
        raise SystemExit(f"format: {len(differ)} of {len(paths)} files differ")
    print(f"format: {len(paths)} files as .clang-format lays them out")


if __name__ == "__main__":
    main()
