#!/usr/bin/env python3
"""The library's headers include only their own floor and the floors below it.

The floors are docs/architecture.md's, bottom up; each names the headers on it by path
under include/oauth/ (a trailing slash: the whole folder). Fails when a header includes
one on a higher floor, when a header sits on no floor, and when a public header holds
code of a `detail` namespace. `--self-test` runs the checks over small trees that must
fail and one that must pass.
"""
import pathlib
import re
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]

FLOORS = [
    ("vocabulary", ["version.hpp", "clock.hpp", "error.hpp", "completion_token.hpp", "impl/error.ipp", "secret.hpp", "scope.hpp",
                    "user_info.hpp", "json_fields.hpp", "detail/config.hpp", "provider_options.hpp", "rate_spacing.hpp", "runtime.hpp", "crypto/constant_time.hpp",
                    "detail/encoding/", "detail/meta/", "detail/json/", "detail/openssl/", "detail/os/",
                    "detail/async/"]),
    ("provider", ["provider.hpp", "provider_profile.hpp", "scope_catalogue.hpp", "user_facing_error.hpp", "detail/provider/"]),
    ("crypto", ["crypto/", "impl/crypto/"]),
    ("http", ["http/", "detail/http/", "impl/http/"]),
    ("protocol", ["protocol/", "detail/protocol/"]),
    ("providers", ["providers/google.hpp", "providers/microsoft.hpp", "providers/notion.hpp",
                   "providers/youtube.hpp", "providers/all.hpp", "providers/notion/database.hpp"]),
    ("store", ["store/", "detail/store/", "impl/store/"]),
    ("api", ["api/", "detail/api/"]),
    ("provider extensions", ["providers/notion/databases.hpp", "detail/notion/"]),
    ("manager", ["manager/", "manager.hpp", "impl/manager/", "detail/manager/"]),
    ("umbrellas", ["src.hpp", "oauth.hpp", "api.hpp", "crypto.hpp", "http.hpp", "protocol.hpp", "providers.hpp", "store.hpp"]),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*<oauth/([^>]+)>', re.M)
DETAIL_NAMESPACE = re.compile(r'^\s*namespace\s+(?:[\w:]+::)?detail\b[\w:]*\s*\{', re.M)


def floor_of(path, floors):
    """The floor of `path` (relative to include/oauth/): the most specific entry naming it."""
    best, length = None, -1
    for index, (_, entries) in enumerate(floors):
        for entry in entries:
            hit = path.startswith(entry) if entry.endswith("/") else path == entry
            if hit and len(entry) > length:
                best, length = index, len(entry)
    return best


def problems(include_dir, floors):
    found = []
    headers = sorted(p for p in include_dir.rglob("*") if p.suffix in (".hpp", ".ipp"))
    for header in headers:
        path = header.relative_to(include_dir).as_posix()
        floor = floor_of(path, floors)
        if floor is None:
            found.append(f"{path}: on no floor of tests/lint/layers.py (and docs/architecture.md)")
            continue
        text = header.read_text()
        public = not path.startswith(("detail/", "impl/"))
        if public and DETAIL_NAMESPACE.search(text):
            found.append(f"{path}: a public header holds detail code; move it to detail/<concern>/")
        for included in INCLUDE.findall(text):
            other = floor_of(included, floors)
            if other is not None and other > floor:
                found.append(f"{path} ({floors[floor][0]}) includes {included} ({floors[other][0]}), a floor above")
    return found


def self_test():
    floors = [("low", ["low.hpp", "detail/low/"]), ("high", ["high.hpp"])]
    cases = {
        "upward include": ({"low.hpp": "#include <oauth/high.hpp>\n", "high.hpp": ""}, "a floor above"),
        "header on no floor": ({"low.hpp": "", "stray.hpp": ""}, "on no floor"),
        "detail code in a public header": ({"low.hpp": "namespace oauth {\nnamespace detail::x {\n}\n}\n"},
                                           "holds detail code"),
        "a clean tree": ({"low.hpp": "", "high.hpp": "#include <oauth/low.hpp>\nnamespace x = oauth::detail;\n",
                          "detail/low/a.hpp": "namespace oauth::detail::low {\n}\n"}, None),
    }
    failed = 0
    for name, (files, expected) in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            for path, text in files.items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(text)
            found = problems(root, floors)
            ok = (not found) if expected is None else any(expected in p for p in found)
            if not ok:
                failed += 1
                print(f"self-test failed: {name}: {found}")
    print("layers self-test:", "failed" if failed else "ok")
    return 1 if failed else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    found = problems(ROOT / "include" / "oauth", FLOORS)
    for problem in found:
        print(problem)
    print(f"layers: {len(found)} problem(s)" if found else "layers: every include points to its floor or below")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
