import { parquetWriteBuffer } from "hyparquet-writer";
import { writeFileSync } from "node:fs";
const write = (name, schema, columnData) => {
  const buf = parquetWriteBuffer({ columnData, schema });
  writeFileSync(`/tmp/lanes/${name}.parquet`, new Uint8Array(buf));
};
// 3. A repeated group named "array" with one field: the element is that group (a struct).
write("array-tuple", [
  { name: "root", num_children: 2 },
  { name: "id", type: "INT32", repetition_type: "REQUIRED" },
  { name: "pairs", repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
  { name: "array", repetition_type: "REPEATED", num_children: 1 },
  { name: "str", type: "BYTE_ARRAY", repetition_type: "REQUIRED", converted_type: "UTF8" },
], [{ name: "id", data: [1, 2] }, { name: "pairs", data: [[{ str: "x" }, { str: "y" }], []] }]);
// 4. A MAP without a value field.
write("map-keys", [
  { name: "root", num_children: 2 },
  { name: "id", type: "INT32", repetition_type: "REQUIRED" },
  { name: "m", repetition_type: "OPTIONAL", num_children: 1, converted_type: "MAP" },
  { name: "key_value", repetition_type: "REPEATED", num_children: 1, converted_type: "MAP_KEY_VALUE" },
  { name: "key", type: "BYTE_ARRAY", repetition_type: "REQUIRED", converted_type: "UTF8" },
], [{ name: "id", data: [1, 2] }, { name: "m", data: [[{ key: "k1" }, { key: "k2" }], []] }]);
