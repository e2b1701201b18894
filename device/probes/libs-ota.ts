// Size probe: libs.ts plus the OTA receiver the MQTT link attaches.
import { otaAttach } from "../ota/attach";
import "./libs";

(global as any).y = otaAttach;
