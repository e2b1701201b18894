// The script version the board reports in its `info` message (and OTA compares). Kept equal
// to package.json's version; test/device-config.test.ts checks they agree.
export const VERSION = "0.1.0";
