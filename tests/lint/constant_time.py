#!/usr/bin/env python3
"""Every comparison of a secret goes through a constant-time helper.

Two checks over the library and the example programs:
  1. no `==` or `!=` has a secret on either side: a revealed secret, a session id, a
     state's or verifier's value, a signature or a MAC;
  2. each place that compares secrets is named below with the helper it must call, and
     does call it.
`--self-test` runs the first check over lines that must fail and lines that must pass.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = [*ROOT.glob("include/oauth/**/*.hpp"), *ROOT.glob("include/oauth/**/*.ipp"), *ROOT.glob("examples/**/*.hpp"),
           *ROOT.glob("examples/**/*.cpp")]

# What a secret looks like in an expression.
SECRET = re.compile(
    r"reveal\(\)|\bsession_id\b|\bcode_verifier\b|\bverifier\b|\bsignature\b|\bexpected_mac\b|\bmac\b"
    r"|\bcallback\.state\b|\bflow->state\b|\bclient_secret\b|\bbearer_secret\b|\bservice_secret\b")
COMPARISON = re.compile(r"(?<![=!<>])(==|!=)(?!=)")
# Comparisons with these are about presence or length, not content.
HARMLESS = re.compile(r"\.empty\(\)|\bnpos\b|\.size\(\)|nullptr|\bstd::nullopt\b")

# The places that compare secrets, and the helper each must call.
CALL_SITES = [
    ("include/oauth/secret.hpp", "friend bool operator==(Secret const& a", "constant_time_equal"),
    ("include/oauth/crypto/state.hpp", "inline bool state_matches(", "constant_time_equal"),
    ("include/oauth/impl/crypto/fernet.ipp", "Result<void> Fernet::verify(std::string_view token, Verified& raw)",
     "CRYPTO_memcmp"),
    ("include/oauth/impl/crypto/keyring.ipp", "Result<std::optional<std::string>> Keyring::configured_keys(",
     "constant_time_equal"),
    ("include/oauth/impl/manager/refresh.hpp", "BasicEngine<V>::renew_rejected(", "constant_time_equal"),
    ("include/oauth/store/memory.hpp", "Result<FlowStateRecord> take_state(", "state_matches"),
    ("examples/oauth_service/bearer_token.hpp", "inline std::variant<Caller, BearerRefusal> verify_bearer(",
     "constant_time_equal"),
]


STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
# What ends an operand of a comparison, outside parentheses.
STOPS = ("&&", "||", ",", ";", "?", ":", "{", "}", "return ", "!")


def operand(code, at, step):
    """The text of the operand beginning next to `at`, walking by `step` (-1 or 1)."""
    depth, i, out = 0, at, []
    while 0 <= i < len(code):
        c = code[i]
        if c in "([" if step > 0 else c in ")]":
            depth += 1
        elif c in ")]" if step > 0 else c in "([":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0:
            ahead = code[i:] if step > 0 else code[:i + 1]
            if any((ahead.startswith(s) if step > 0 else ahead.endswith(s)) for s in STOPS if s != "!") or (
                    c == "!" and code[i + 1:i + 2] != "="):
                break
        out.append(c)
        i += step
    return "".join(out if step > 0 else reversed(out))


def comparisons_of_secrets(lines):
    for number, line in lines:
        code = STRING.sub('""', line.split("//")[0])
        for match in COMPARISON.finditer(code):
            left = operand(code, match.start() - 1, -1)
            right = operand(code, match.end(), 1)
            if (SECRET.search(left) or SECRET.search(right)) and not (HARMLESS.search(left) or HARMLESS.search(right)):
                yield number, line.strip()
                break


def function_body(text, signature):
    start = text.find(signature)
    if start < 0:
        return None
    opening = text.find("{", start)
    depth = 0
    for i in range(opening, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[opening:i + 1]
    return None


def main():
    if sys.argv[1:] == ["--self-test"]:
        bad = ["if (a.reveal() == b.reveal()) return;", "return flow->session_id == callback.session_id;",
               "bool ok = *signature != *expected;", "if (callback.state == issued) {}",
               "if (x && config.client_secret == other) {}", "f(g(h.reveal()) != k);"]
        good = ["if (session_id.empty()) return;", "return constant_time_equal(a.reveal(), b.reveal());",
                "if (signature == nullptr) return;", "auto n = mac.size() == 32;",
                "if (flow->provider != P::name || !state_matches(flow->session_id, callback.session_id)) {}",
                'if (key == "client_secret") {}']
        caught = [line for _, line in comparisons_of_secrets(enumerate(bad))]
        passed = [line for _, line in comparisons_of_secrets(enumerate(good))]
        if len(caught) != len(bad) or passed:
            print("self-test failed: missed", [l for l in bad if l not in caught], "flagged", passed)
            return 1
        print("constant-time check: self-test ok")
        return 0

    failures = []
    for path in SOURCES:
        lines = enumerate(path.read_text().splitlines(), start=1)
        for number, line in comparisons_of_secrets(lines):
            failures.append(f"{path.relative_to(ROOT)}:{number}: a secret compared with == or !=: {line}")
    for file, signature, helper in CALL_SITES:
        body = function_body((ROOT / file).read_text(), signature)
        if body is None:
            failures.append(f"{file}: {signature}... is gone; update the list in tests/lint/constant_time.py")
        elif helper not in body:
            failures.append(f"{file}: {signature}... compares secrets without {helper}")
    for failure in failures:
        print(failure)
    if not failures:
        print(f"constant-time check: {len(SOURCES)} files, {len(CALL_SITES)} call sites ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
