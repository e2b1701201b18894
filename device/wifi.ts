// WiFi station connect with retry, on boards that have the Wifi module (not the Linux
// build, which uses the host's network). Without credentials in the config the board's
// saved WiFi is used as it is.
export function wifiStart(ssid: string | undefined, password: string | undefined, done: () => void): void {
  let w: any;
  try {
    w = global.require("Wifi");
  } catch (e) {
    w = null;
  }
  if (!w || !ssid) {
    done();
    return;
  }
  const go = function () {
    w.connect(ssid, { password: password }, function (err: any) {
      if (!err) return done();
      console.log("wifi " + err);
      setTimeout(go, 10000);
    });
  };
  go();
}
