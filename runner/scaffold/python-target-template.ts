/* A Python target as `agora new target … --lang python` writes it: its script and its unittest suite (see python-templates.ts). */

export const TARGET = `#!/usr/bin/env python3
"""__NAME__: a Singer target (made by \`agora new target\`).

It appends each stream's records to DESTINATION/STREAM.jsonl and confirms a STATE (echoes it on
stdout) only once every record before it is on disk (flushed and fsynced). Replace write_batch()
with your destination; keep its promise: when it returns, the records are durable.
"""
import argparse
import json
import os
import re
import sys
from decimal import Decimal

ABOUT = {
    "name": "__NAME__",
    "kind": "target",
    "version": "0.1.0",
    "description": "__DESCRIPTION__",
    "sdk": "python3 standard library",
    "capabilities": ["about", "test-connection"],
    "settings": __SETTINGS__,
}


def fail(message, code):
    sys.stderr.write("__NAME__ error: %s\\n" % message)
    sys.exit(code)


def dumps_exact(value):
    """JSON with every number as it came: a Decimal is written as its digits (json.dumps would refuse it)."""
    text = json.dumps(value, default=lambda number: "\\u0000%s\\u0000" % number)
    return re.sub(r'"\\\\u0000([-0-9.eE+]+)\\\\u0000"', r"\\1", text)


def file_of(config, stream):
    safe = "".join(char if char.isalnum() or char in "._-" else "_" for char in stream)
    return os.path.join(config.get("destination_path", "output"), safe + ".jsonl")


def write_batch(config, batch):
    """Makes the records durable: appended, flushed and fsynced. Replace with your destination."""
    os.makedirs(config.get("destination_path", "output"), exist_ok=True)
    for stream, lines in batch.items():
        with open(file_of(config, stream), "a", encoding="utf-8") as handle:
            handle.write("".join(lines))
            handle.flush()
            os.fsync(handle.fileno())


def main():
    parser = argparse.ArgumentParser(prog="__NAME__", description=ABOUT["description"])
    parser.add_argument("--config", action="append", default=[])
    parser.add_argument("--about", action="store_true")
    parser.add_argument("--format", choices=["json"], default="json")
    parser.add_argument("--test_connection", action="store_true")
    args = parser.parse_args()
    if args.about:
        print(json.dumps(ABOUT, indent=2))
        return
    config = {}
    for path in args.config:
        try:
            with open(path) as handle:
                config.update(json.load(handle))
        except (OSError, ValueError) as error:
            fail("cannot read the config file %s (%s)" % (path, error), 3)
    for key in config:
        if key not in ABOUT["settings"]["properties"]:
            fail("unknown setting %r; the settings are: %s" % (key, ", ".join(ABOUT["settings"]["properties"])), 3)
    if args.test_connection:
        destination = config.get("destination_path", "output")
        os.makedirs(destination, exist_ok=True)
        if not os.access(destination, os.W_OK):
            fail("cannot write to %s" % destination, 1)
        sys.stderr.write("__NAME__ info: connection ok: %s is writable\\n" % destination)
        return
    batch = {}
    written = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        # Numbers with a point or exponent as Decimals: 1234567890123456.78 stays exact (a float would round it).
        message = json.loads(line, parse_float=Decimal)
        kind = str(message.get("type", "")).upper()
        if kind == "RECORD":
            batch.setdefault(message["stream"], []).append(dumps_exact(message["record"]) + "\\n")
            written += 1
        elif kind == "STATE":
            write_batch(config, batch)
            batch = {}
            sys.stdout.write(dumps_exact(message["value"]) + "\\n")
            sys.stdout.flush()
    write_batch(config, batch)
    sys.stderr.write("__NAME__ info: wrote %d records\\n" % written)


if __name__ == "__main__":
    main()
`;

export const TARGET_TEST = `"""Tests of __NAME__, run as a process as a runner runs it: python3 -m unittest discover -s tests."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "__MODULE__.py")


class TargetTest(unittest.TestCase):
    def test_writes_records_then_confirms_the_state(self):
        destination = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, destination, ignore_errors=True)
        config = os.path.join(destination, "config.json")
        with open(config, "w") as handle:
            json.dump({"destination_path": os.path.join(destination, "out")}, handle)
        lines = [
            {"type": "SCHEMA", "stream": "items", "schema": {"type": "object"}, "key_properties": ["id"]},
            {"type": "RECORD", "stream": "items", "record": {"id": 1}},
            {"type": "RECORD", "stream": "items", "record": {"id": 2}},
            {"type": "STATE", "value": {"bookmarks": {"items": {"id": 2}}}},
        ]
        result = subprocess.run([sys.executable, SCRIPT, "--config", config], input="".join(json.dumps(line) + "\\n" for line in lines),
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout), {"bookmarks": {"items": {"id": 2}}})
        with open(os.path.join(destination, "out", "items.jsonl")) as handle:
            self.assertEqual([json.loads(line)["id"] for line in handle], [1, 2])


if __name__ == "__main__":
    unittest.main()
`;
