// WiFi station connect with retry, on boards that have the Wifi module (not the Linux
// build, which uses the host's network). Without credentials in the config ("wifi" absent
// or without an ssid) the board's saved WiFi is used as it is.
export function wifiStart(c: { ssid?: string; password?: string } | undefined, done: () => void): void {
  // A require() that throws builds an error with a stack trace: on the ESP8266 pool that alone
  // can run out of memory. Ask the firmware's module list instead.
  const w = process.env.MODULES.indexOf("Wifi") < 0 ? null : global.require("Wifi");
  if (!w || !c || !c.ssid) {
    done();
    return;
  }
  const go = function () {
    w.connect(c.ssid, { password: c.password }, function (err: any) {
      if (!err) return done();
      console.log("wifi " + err);
      setTimeout(go, 10000);
    });
  };
  go();
}
