#!/usr/bin/env python3
"""Differential test of amr's .env parser against python-dotenv (Debian's python3-dotenv,
the parser of the lab amr replaces): runs every input of the .env fuzz corpus through both
and reports each key whose value differs, for the inputs both accept (docs/FUZZING.md).

    scripts/dotenv_diff.py [--binary build-fuzz/tests/fuzz/fuzz_dotenv] [DIR...]

DIRs default to tests/fuzz/corpus/dotenv and build-fuzz/corpus/dotenv (what fuzzing
found). The harness's first byte only places its planted secret: both read the rest.
Exits 1 when they disagree. Known, intended differences are counted, not reported:
python-dotenv reads a line without '=' as a key with no value where amr refuses the
file, skips lines it cannot parse where amr refuses the file, and expands ${VAR} (with
interpolate=True, which is not used here: amr does not expand)."""
import argparse
import io
import json
import os
import subprocess
import sys

from dotenv.parser import parse_stream


def amr_values(binary, paths):
    """amr's reading of each file: {"values": {...}} or {"error": "..."}."""
    out = []
    for path in paths:
        run = subprocess.run([binary, path], env=dict(os.environ, AMR_FUZZ_DUMP="1"),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        # libFuzzer may run an input more than once: the last line is its reading.
        out.append(json.loads(run.stdout.decode().splitlines()[-1]))
    return out


def dotenv_values(text):
    """python-dotenv's reading: (values, whether it parsed every line)."""
    values = {}
    clean = True
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            clean = False
        elif binding.key is not None:
            values[binding.key] = binding.value
    return values, clean


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default="build-fuzz/tests/fuzz/fuzz_dotenv")
    ap.add_argument("dirs", nargs="*",
                    default=["tests/fuzz/corpus/dotenv", "build-fuzz/corpus/dotenv"])
    args = ap.parse_args()
    paths = sorted(os.path.join(d, f) for d in args.dirs if os.path.isdir(d)
                   for f in os.listdir(d) if os.path.isfile(os.path.join(d, f)))
    paths = [p for p in paths if os.path.getsize(p) > 0]
    amr = amr_values(args.binary, paths)
    counts = dict(inputs=len(paths), not_utf8=0, both_accept=0, amr_only=0, dotenv_only=0,
                  neither=0, no_value_keys=0, disagreements=0)
    for path, ours in zip(paths, amr):
        raw = open(path, "rb").read()[1:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            counts["not_utf8"] += 1
            continue
        # python-dotenv opens the file in text mode: universal newlines.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        theirs, clean = dotenv_values(text)
        none_keys = [k for k, v in theirs.items() if v is None]
        counts["no_value_keys"] += bool(none_keys)
        clean = clean and not none_keys
        if "error" in ours:
            counts["dotenv_only" if clean else "neither"] += 1
            if clean:
                print("%s: amr refuses (%s), python-dotenv reads %r" % (path, ours["error"], theirs))
            continue
        if not clean:
            counts["amr_only"] += 1
            continue
        counts["both_accept"] += 1
        mine = ours["values"]
        for key in sorted(set(mine) | set(theirs)):
            if mine.get(key) != theirs.get(key):
                counts["disagreements"] += 1
                print("%s: %r: amr %r, python-dotenv %r" % (path, key, mine.get(key),
                                                            theirs.get(key)))
    print(json.dumps(counts))
    return 1 if counts["disagreements"] else 0


if __name__ == "__main__":
    sys.exit(main())
