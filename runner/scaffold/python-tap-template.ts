/* A Python tap as `agora new tap … --lang python` writes it: its script and its unittest suite (see python-templates.ts). */

export const TAP = `#!/usr/bin/env python3
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

export const TAP_TEST = `"""Tests of __NAME__, run as a process as a runner runs it: python3 -m unittest discover -s tests."""
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
