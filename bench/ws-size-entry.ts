// Size probe: everything a board needs for a WebSocket client (handshake, masking encoder,
// receiver, WsClient), kept alive by handing the class to an unknown global.
import { WsClient } from "../shared/ws/client";

declare function keep(x: unknown): void;
keep(WsClient);
