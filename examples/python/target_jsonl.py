#!/usr/bin/env python3
"""A Singer target in plain Python 3 (standard library only).

Appends each stream's records to `<destination>/<stream>.jsonl`. Records are
written and fsynced before the STATE that follows them is echoed on stdout,
which is what makes a runner's checkpoints safe.

    some-tap | python3 target_jsonl.py --config config.json
"""
import argparse
import json
import os
import sys


def fail(message, code=1):
    sys.stderr.write(f"target-jsonl-py error: {message}\n")
    sys.exit(code)


def main():
    parser = argparse.ArgumentParser(prog="target-jsonl-py")
    parser.add_argument("--config", "-c", action="append", default=[])
    parser.add_argument("--about", action="store_true")
    parser.add_argument("--format", default="json")
    parser.add_argument("--test_connection", "--test-connection", action="store_true")
    args = parser.parse_args()
    if args.about:
        print(json.dumps({"name": "target-jsonl-py", "version": "1.0.0", "capabilities": ["about"], "settings": {
            "type": "object", "properties": {"destination_path": {"type": "string", "default": "output"},
                                             "batch_size": {"type": "integer", "default": 100}}}}))
        return
    config = {}
    for path in args.config:
        with open(path, encoding="utf-8") as handle:
            config.update(json.load(handle))
    destination = config.get("destination_path", "output")
    batch_size = int(config.get("batch_size", 100))
    os.makedirs(destination, exist_ok=True)
    if args.test_connection:
        sys.stderr.write(f"target-jsonl-py: {destination} is writable\n")
        return

    files = {}
    schemas = set()
    pending = []  # (stream, line) waiting to be written
    pending_state = None

    def flush():
        nonlocal pending, pending_state
        touched = set()
        for stream, line in pending:
            handle = files.get(stream)
            if handle is None:
                handle = files[stream] = open(os.path.join(destination, f"{stream}.jsonl"), "a", encoding="utf-8")
            handle.write(line)
            touched.add(stream)
        for stream in touched:
            files[stream].flush()
            os.fsync(files[stream].fileno())
        pending = []
        if pending_state is not None:
            # The Singer convention: echo the bare state value.
            sys.stdout.write(json.dumps(pending_state) + "\n")
            sys.stdout.flush()
            pending_state = None

    for number, raw in enumerate(sys.stdin, start=1):
        if not raw.strip():
            continue
        try:
            message = json.loads(raw)
        except ValueError as error:
            fail(f"line {number}: invalid JSON ({error})")
        kind = message.get("type")
        if kind == "SCHEMA":
            schemas.add(message["stream"])
        elif kind == "RECORD":
            if message["stream"] not in schemas:
                fail(f"line {number}: RECORD for stream {message['stream']} before its SCHEMA")
            pending.append((message["stream"], json.dumps(message["record"], ensure_ascii=False) + "\n"))
            if len(pending) >= batch_size:
                flush()
        elif kind == "STATE":
            pending_state = message["value"]
            if not pending:
                flush()
        # Other types (ACTIVATE_VERSION, BATCH, unknown ones) are ignored.
    flush()
    for handle in files.values():
        handle.close()


if __name__ == "__main__":
    main()
