#!/usr/bin/env python3
"""A Singer tap in plain Python 3 (standard library only).

Emits one stream, `countries`, from a small built-in table. Resumable by row:
each STATE says how many rows were emitted, and `--state` continues after them.

    python3 tap_countries.py --config config.json [--catalog catalog.json] [--state state.json]
"""
import argparse
import json
import sys

COUNTRIES = [
    ("CH", "Switzerland", "Bern", 8_960_000, 41285.0),
    ("BR", "Brazil", "Brasília", 216_400_000, 8515767.0),
    ("PL", "Poland", "Warsaw", 36_750_000, 312696.0),
    ("JP", "Japan", "Tōkyō", 124_500_000, 377975.0),
    ("CA", "Canada", "Ottawa", 40_100_000, 9984670.0),
    ("IS", "Iceland", "Reykjavík", 390_000, 103000.0),
    ("KE", "Kenya", "Nairobi", 55_100_000, 580367.0),
    ("NZ", "New Zealand", "Wellington", 5_220_000, 268021.0),
]

SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "capital": {"type": ["null", "string"]},
        "population": {"type": "integer"},
        "area_km2": {"type": "number"},
    },
    "required": ["code"],
}

SETTINGS = {
    "type": "object",
    "properties": {
        "limit": {"type": "integer", "description": "Emit at most this many rows."},
        "state_every": {"type": "integer", "default": 3, "description": "Rows between STATE messages."},
    },
}


def emit(message):
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")


def load_json(path, flag):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        sys.stderr.write(f"tap-countries error: cannot read {flag} file {path}: {error}\n")
        sys.exit(3)


def catalog():
    metadata = [{"breadcrumb": [], "metadata": {"selected-by-default": True, "table-key-properties": ["code"]}}]
    metadata += [
        {"breadcrumb": ["properties", name], "metadata": {"inclusion": "automatic" if name == "code" else "available"}}
        for name in SCHEMA["properties"]
    ]
    return {"streams": [{"tap_stream_id": "countries", "stream": "countries", "schema": SCHEMA, "key_properties": ["code"], "metadata": metadata}]}


def selected_properties(catalog_value):
    """Returns (stream selected?, set of selected property names)."""
    for stream in catalog_value.get("streams", []):
        if stream.get("tap_stream_id") != "countries":
            continue
        chosen = set(SCHEMA["properties"])
        stream_selected = False
        for entry in stream.get("metadata", []):
            crumb, meta = entry.get("breadcrumb", []), entry.get("metadata", {})
            if crumb == []:
                stream_selected = meta.get("selected", stream.get("selected", meta.get("selected-by-default", False)))
            elif len(crumb) == 2 and meta.get("inclusion") != "automatic" and meta.get("selected") is False:
                chosen.discard(crumb[1])
        return stream_selected, chosen
    return False, set()


def main():
    parser = argparse.ArgumentParser(prog="tap-countries")
    parser.add_argument("--config", "-c", action="append", default=[])
    parser.add_argument("--catalog")
    parser.add_argument("--properties")
    parser.add_argument("--state", "-s")
    parser.add_argument("--discover", "-d", action="store_true")
    parser.add_argument("--about", action="store_true")
    parser.add_argument("--format", default="json")
    parser.add_argument("--test_connection", "--test-connection", action="store_true")
    args = parser.parse_args()

    if args.about:
        emit({"name": "tap-countries", "version": "1.0.0", "capabilities": ["about", "discover", "catalog", "state"], "settings": SETTINGS})
        return
    config = {}
    for path in args.config:
        config.update(load_json(path, "--config"))
    if args.discover:
        print(json.dumps(catalog(), indent=2))
        return
    if args.test_connection:
        sys.stderr.write("tap-countries: connection ok\n")
        return

    properties = set(SCHEMA["properties"])
    catalog_path = args.catalog or args.properties
    if catalog_path:
        selected, properties = selected_properties(load_json(catalog_path, "--catalog"))
        if not selected:
            return
    state = load_json(args.state, "--state") if args.state else {}
    start = state.get("bookmarks", {}).get("countries", {}).get("rows", 0)
    limit = config.get("limit", len(COUNTRIES))
    every = config.get("state_every", 3)

    schema = dict(SCHEMA, properties={k: v for k, v in SCHEMA["properties"].items() if k in properties})
    emit({"type": "SCHEMA", "stream": "countries", "schema": schema, "key_properties": ["code"]})
    rows = start
    for code, name, capital, population, area in COUNTRIES[start:limit]:
        record = {"code": code, "name": name, "capital": capital, "population": population, "area_km2": area}
        emit({"type": "RECORD", "stream": "countries", "record": {k: v for k, v in record.items() if k in properties}})
        rows += 1
        if (rows - start) % every == 0:
            emit({"type": "STATE", "value": {"bookmarks": {"countries": {"rows": rows}}}})
    emit({"type": "STATE", "value": {"bookmarks": {"countries": {"rows": rows}}}})


if __name__ == "__main__":
    try:
        main()
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stderr.write("tap-countries error: the reader closed the pipe\n")
        sys.exit(1)
