// Which MQTT client carries the bridge: pinwire's own (shared/mqtt/client.ts).
import type { LinkFactory } from "./link";
import { sharedLink } from "./link-shared";

export const defaultLinkFactory: LinkFactory = sharedLink;
