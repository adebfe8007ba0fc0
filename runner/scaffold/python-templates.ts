import type { ScaffoldFiles, ScaffoldInput } from "./scaffold-types.js";

/*
 * A Python connector as `agora new … --lang python` writes it: one script on the standard
 * library alone, speaking Singer as the protocol's text says, with a unittest suite that runs
 * it as a process. It passes `agora test` as written; the author replaces the marked parts.
 */

const TAP = `#!/usr/bin/env python3
"""__NAME__: a Singer tap (made by \`agora new tap\`).

Replace read_items() and SCHEMA with your source, and test_connection() with a real check.
The rest (arguments, config checks, discovery, catalog selection, resuming) follows Singer.
"""
import argparse
import json
import sys

ABOUT = {
    "name": "__NAME__",
    "kind": "tap",
    "version": "0.1.0",
    "description": "__DESCRIPTION__",
    "sdk": "python3 standard library",
    "capabilities": ["about", "discover", "catalog", "state", "test-connection"],
    "settings": __SETTINGS__,
}
STREAM = "items"
SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}, "required": ["id"]}
STATE_EVERY = 100


def read_items(config, after):
    """The records with an id past \`after\`, in id order. Replace with your source."""
    for number in range(after + 1, config.get("count", 10) + 1):
        yield {"id": number, "name": "item %d" % number}


def test_connection(config):
    """A real check of the source (a request, a login); what it found, or an exception."""
    return "made-up source, %d items" % config.get("count", 10)


def fail(message, code):
    sys.stderr.write("__NAME__ error: %s\\n" % message)
    sys.exit(code)


def load_json(path, what):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        fail("cannot read the %s file %s (%s)" % (what, path, error), 3)


def checked_config(config):
    known = ABOUT["settings"]["properties"]
    for key in config:
        if key not in known:
            fail("unknown setting %r; the settings are: %s" % (key, ", ".join(known)), 3)
    count = config.get("count", 10)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        fail("setting 'count' must be a whole number, 0 or more", 3)
    return config


def catalog():
    metadata = {"selected-by-default": True, "table-key-properties": ["id"], "valid-replication-keys": ["id"],
                "forced-replication-method": "INCREMENTAL", "replication-key": "id"}
    return {"streams": [{"tap_stream_id": STREAM, "stream": STREAM, "schema": SCHEMA, "key_properties": ["id"],
                         "metadata": [{"breadcrumb": [], "metadata": metadata}] +
                         [{"breadcrumb": ["properties", name], "metadata": {"inclusion": "automatic" if name == "id" else "available"}}
                          for name in SCHEMA["properties"]]}]}


def selection(handed):
    """None when the stream is not selected, else the properties to send."""
    if handed is None:
        return list(SCHEMA["properties"])
    for stream in handed.get("streams", []):
        if stream.get("tap_stream_id") != STREAM:
            continue
        by_breadcrumb = {tuple(entry.get("breadcrumb", [])): entry.get("metadata", {}) for entry in stream.get("metadata", [])}
        top = by_breadcrumb.get((), {})
        if not top.get("selected", top.get("selected-by-default", False)):
            return None
        chosen = []
        for name in SCHEMA["properties"]:
            item = by_breadcrumb.get(("properties", name), {})
            if item.get("inclusion") == "automatic" or item.get("selected", item.get("selected-by-default", True)):
                chosen.append(name)
        return chosen
    return None


def emit(message):
    sys.stdout.write(json.dumps(message) + "\\n")


def main():
    parser = argparse.ArgumentParser(prog="__NAME__", description=ABOUT["description"])
    parser.add_argument("--config", action="append", default=[])
    parser.add_argument("--catalog")
    parser.add_argument("--properties")
    parser.add_argument("--state")
    parser.add_argument("--discover", action="store_true")
    parser.add_argument("--about", action="store_true")
    parser.add_argument("--format", choices=["json"], default="json")
    parser.add_argument("--test_connection", action="store_true")
    args = parser.parse_args()
    if args.about:
        print(json.dumps(ABOUT, indent=2))
        return
    config = {}
    for path in args.config:
        config.update(load_json(path, "config"))
    config = checked_config(config)
    if args.discover:
        print(json.dumps(catalog(), indent=2))
        return
    if args.test_connection:
        sys.stderr.write("__NAME__ info: connection ok: %s\\n" % test_connection(config))
        return
    catalog_file = args.catalog or args.properties
    properties = selection(load_json(catalog_file, "catalog") if catalog_file else None)
    if properties is None:
        return
    state = load_json(args.state, "state") if args.state else {}
    after = state.get("bookmarks", {}).get(STREAM, {}).get("id", 0)
    schema = dict(SCHEMA, properties={name: SCHEMA["properties"][name] for name in properties})
    emit({"type": "SCHEMA", "stream": STREAM, "schema": schema, "key_properties": ["id"], "bookmark_properties": ["id"]})
    last = after
    for index, record in enumerate(read_items(config, after), start=1):
        emit({"type": "RECORD", "stream": STREAM, "record": {name: record[name] for name in properties if name in record}})
        last = record["id"]
        if index % STATE_EVERY == 0:
            emit({"type": "STATE", "value": {"bookmarks": {STREAM: {"id": last}}}})
    emit({"type": "STATE", "value": {"bookmarks": {STREAM: {"id": last}}}})


if __name__ == "__main__":
    main()
`;

const TARGET = `#!/usr/bin/env python3
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

const TAP_TEST = `"""Tests of __NAME__, run as a process as a runner runs it: python3 -m unittest discover -s tests."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "__MODULE__.py")


def run(*args):
    result = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines() if line.strip()], result.stderr


class TapTest(unittest.TestCase):
    def config(self, **settings):
        handle = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(settings, handle)
        handle.close()
        self.addCleanup(os.remove, handle.name)
        return handle.name

    def test_syncs_every_item_then_resumes_after_the_bookmark(self):
        code, messages, _ = run("--config", self.config(count=5))
        self.assertEqual(code, 0)
        self.assertEqual([m["record"]["id"] for m in messages if m["type"] == "RECORD"], [1, 2, 3, 4, 5])
        state = [m for m in messages if m["type"] == "STATE"][-1]["value"]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(state, handle)
        self.addCleanup(os.remove, handle.name)
        _, again, _ = run("--config", self.config(count=7), "--state", handle.name)
        self.assertEqual([m["record"]["id"] for m in again if m["type"] == "RECORD"], [6, 7])

    def test_refuses_an_unknown_setting_with_exit_code_3(self):
        code, _, stderr = run("--config", self.config(cuont=5))
        self.assertEqual(code, 3)
        self.assertIn("unknown setting 'cuont'", stderr)


if __name__ == "__main__":
    unittest.main()
`;

const TARGET_TEST = `"""Tests of __NAME__, run as a process as a runner runs it: python3 -m unittest discover -s tests."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "__MODULE__.py")


class TargetTest(unittest.TestCase):
    def test_writes_records_then_confirms_the_state(self):
        destination = tempfile.mkdtemp()
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

/** The files of a Python tap or target. */
export function pythonFiles(input: ScaffoldInput): ScaffoldFiles {
  const module = input.name.replace(/[^A-Za-z0-9_]/g, "_");
  const fill = (text: string): string =>
    text
      .replaceAll("__NAME__", input.name)
      .replaceAll("__MODULE__", module)
      .replaceAll("__DESCRIPTION__", input.description)
      .replaceAll("__SETTINGS__", pythonLiteral(input.settings));
  return {
    [`${module}.py`]: { text: fill(input.kind === "tap" ? TAP : TARGET), executable: true },
    [`tests/test_${module}.py`]: { text: fill(input.kind === "tap" ? TAP_TEST : TARGET_TEST) },
  };
}

/** A JSON value as Python source (True, False, None). */
function pythonLiteral(value: unknown): string {
  return JSON.stringify(value, null, 4)
    .replace(/\n/g, "\n    ")
    .replace(/: true\b/g, ": True")
    .replace(/: false\b/g, ": False")
    .replace(/: null\b/g, ": None");
}
