import { Ajv, type Options } from "ajv";
import addFormatsModule, { type FormatsPlugin } from "ajv-formats";

// ajv-formats is CommonJS: under NodeNext the default import is its module object, whose `default` is the plugin.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

/**
 * ISO 8601 date-time, as Singer taps really send it: `T` or a space between
 * date and time, fractional seconds optional, time zone optional.
 */
const LENIENT_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/**
 * An ajv instance configured for schemas from the wild: unknown keywords
 * (`inclusion`, `selected`, ...) and formats are ignored rather than fatal,
 * `"type": ["null", "string"]` unions are allowed, draft-04 `$schema` URIs do
 * not stop compilation, and `multipleOf` tolerates float rounding.
 */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({
    strict: false,
    allowUnionTypes: true,
    validateSchema: false,
    multipleOfPrecision: 9,
    logger: false,
    ...options,
  });
  addFormats(ajv);
  ajv.addFormat("date-time", { type: "string", validate: (value: string) => LENIENT_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value.replace(" ", "T"))) });
  return ajv;
}
