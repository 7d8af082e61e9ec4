#!/usr/bin/env python3
"""Fernet interoperability with pyca/cryptography, the reference implementation.

  verify FILE        each line "key token payload_hex", made elsewhere: decrypt and compare
  generate N FILE    write N lines "key token payload_hex" with random keys and payloads
"""
import os
import secrets
import sys

from cryptography.fernet import Fernet


def verify(path):
    count = 0
    with open(path) as lines:
        for number, line in enumerate(lines, 1):
            key, token, payload_hex = line.split()
            plaintext = Fernet(key.encode()).decrypt(token.encode())
            expected = b"" if payload_hex == "-" else bytes.fromhex(payload_hex)
            if plaintext != expected:
                sys.exit(f"line {number}: decrypted payload differs")
            count += 1
    print(f"verified {count}")


def generate(count, path):
    with open(path, "w") as out:
        for _ in range(count):
            key = Fernet.generate_key()
            payload = os.urandom(secrets.randbelow(1500))
            token = Fernet(key).encrypt(payload)
            out.write(f"{key.decode()} {token.decode()} {payload.hex() or '-'}\n")
    print(f"generated {count}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["verify"] and len(sys.argv) == 3:
        verify(sys.argv[2])
    elif sys.argv[1:2] == ["generate"] and len(sys.argv) == 4:
        generate(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
