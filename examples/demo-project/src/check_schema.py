"""Fail when a CSV lacks one of the required columns."""

import csv
import sys


def missing_columns(path: str, required: list[str]) -> list[str]:
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    return [c for c in required if c not in header]


if __name__ == "__main__":
    missing = missing_columns(sys.argv[1], sys.argv[2:])
    if missing:
        print(f"\033[31mschema check failed: missing column(s) {', '.join(missing)}\033[0m")
        sys.exit(1)
    print("schema ok")
