// What each OTA outcome code means for the person who pushed (the CLI's result lines, the
// dashboard's "last update" line): the board's ERR codes, its rollback reasons, the pusher's own.
export const OUTCOME_TEXT: Record<string, string> = {
  busy: "refused: the device is in the middle of another update",
  space: "refused: the script is larger than the device's free flash",
  unsigned: "refused: the device has an OTA key and the script is not signed (give --key or --keys)",
  sig: "refused: wrong signature (the key does not match the device's otaKey)",
  alg: "refused: the device cannot check this signature algorithm",
  challenge: "refused: the manifest does not carry the device's current challenge (a replayed or stale manifest, or the device restarted three times during the push)",
  downgrade: "refused: the script's version is older than the one the device runs (give --allow-downgrade to install it anyway)",
  "old-receiver": "refused: the device's OTA receiver (pw.ota) predates replay protection and cannot take this push; update it with `pinwire flash`",
  crc: "failed: the script arrived corrupted (CRC32 mismatch); the old script still runs",
  digest: "failed: the script's digest does not match the signed manifest; the old script still runs",
  size: "failed: the script arrived with the wrong size; the old script still runs",
  "no-reply": "failed: the device did not answer (offline, or no OTA receiver)",
  interrupted: "stopped: interrupted; the device was told to abort the transfer and keeps its running script",
  timeout: "failed: the transfer stalled",
  "no-boot-report": "failed: the device never reported after restarting",
  boots: "rolled back: the new script failed at boot",
  health: "rolled back: the new script did not connect to the broker in time",
  loader: "rolled back: the board has no pinwire boot loader, so the new script never ran (install pinwire with `pinwire flash`)",
  "board-unknown": "refused: the device has not announced its kind of board (no retained pinwire/<id>/info); give --board",
  "board-mismatch": "refused: the device announced another kind of board than --board (leave --board out: each device gets its own kind's build)",
};
