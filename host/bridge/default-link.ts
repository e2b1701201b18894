// Which MQTT client carries the bridge.
import type { LinkFactory } from "./link";
import { mqttjsLink } from "./link-mqttjs";

export const defaultLinkFactory: LinkFactory = mqttjsLink;
