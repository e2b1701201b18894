import { fromHex, toHex } from "../shared/bytes";

// Placeholder entry until the board runtime lands: proves the pipeline end to end.
const probe = toHex(fromHex("0c00000040000000"));
console.log("pinwire " + PINWIRE_BOARD + " " + probe);
