// Size probe baseline: the shared helpers the MQTT client carries anyway (bytes.ts, errors.ts),
// so that ws-size-entry minus this is the WebSocket client's own cost on the board.
import * as bytes from "../shared/bytes";
import { fail, ProtocolError } from "../shared/errors";

declare function keep(x: unknown): void;
keep([bytes.alloc, bytes.view, bytes.put, bytes.concat, bytes.readU16BE, bytes.writeU16BE, bytes.utf8Encode, bytes.utf8Decode, bytes.fromBinaryString, bytes.toBinaryString, fail, ProtocolError]);
