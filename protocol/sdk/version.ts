/** The SDK's name and version, as `--about` reports it. Kept equal to package.json by a test. */
export const SDK_VERSION = "0.1.0";
export const SDK_NAME = `the Agora SDK ${SDK_VERSION}`;
