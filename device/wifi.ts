// WiFi station connect with retry, on boards that have the Wifi module (not the Linux build,
// which uses the host's network). Without credentials in the config ("wifi" absent or without
// an ssid) the board's saved WiFi is used as it is. A require() that throws builds an error
// with a stack trace, which alone can run the ESP8266 out of memory: the firmware's module
// list says whether there is a Wifi module.
let creds: { ssid: string; password?: string };
let then: () => void;

function attempt(): void {
  global.require("Wifi").connect(creds.ssid, { password: creds.password }, joined);
}

function joined(err: any): void {
  if (!err) return then();
  console.log("wifi " + err);
  setTimeout(attempt, 10000);
}

export function wifiStart(c: { ssid?: string; password?: string } | undefined, done: () => void): void {
  if (process.env.MODULES.indexOf("Wifi") < 0 || !c || !c.ssid) return done();
  creds = c as { ssid: string };
  then = done;
  attempt();
}
