// Size probe: the shared bytes/errors helpers the codec calls, alone, so the codec's own
// share of the board bundle can be told apart. Bundled by bench/codec.bench.ts, never run.
import { alloc, concat, put, readU16BE, utf8Decode, utf8Length, utf8Write, view, writeU16BE } from "../shared/bytes";
import { fail } from "../shared/errors";

declare const global: any;
global.base = [alloc, concat, put, readU16BE, utf8Decode, utf8Length, utf8Write, view, writeU16BE, fail];
