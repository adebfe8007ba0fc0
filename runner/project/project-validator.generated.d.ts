import type { ErrorObject } from "ajv";

/** The project file's validator, compiled from PROJECT_SCHEMA by project-validator-source.ts; fills in the schema's defaults. */
export declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
