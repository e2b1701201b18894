// The dashboard: follows the device list on the gateway's JSON channel (/ws) and keeps one
// card (with its own socket, /ws/<id>) per device, built from the board's catalogue. With a token (?token= in the page
// URL, or typed into the form when the server asks for one) every request carries it, as
// the gateway accepts it from browsers.
import { ReconnectingSocket } from "./socket.js";
import { DeviceCard } from "./card.js";

const TOKEN_KEY = "pinwire.token";
const $ = (sel) => document.querySelector(sel);
const listEl = $("#device-list ul");
const cardsEl = $("#cards");
const emptyEl = $("#empty");
const connEl = $("#conn");
const tokenForm = $("#token-form");

const cards = new Map();
let channel = null;
let token = new URLSearchParams(location.search).get("token") || sessionStorage.getItem(TOKEN_KEY) || "";
if (token) sessionStorage.setItem(TOKEN_KEY, token);

const withToken = (path) => path + (token ? "?token=" + encodeURIComponent(token) : "");

// Relative to the page, so the dashboard also works behind a proxy under a path prefix.
function wsUrl(path) {
  const u = new URL(withToken(path), location.href);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.href;
}

function showConnection() {
  const s = channel ? channel.state : "closed";
  let state = s === "open" ? "live" : s === "closed" ? "stopped" : "reconnecting";
  // Live only when every device socket is up too.
  if (state === "live") for (const c of cards.values()) if (c.sock.state !== "open") state = "reconnecting";
  connEl.dataset.state = state;
  connEl.textContent = state === "live" ? "live" : state === "stopped" ? "not connected" : "reconnecting…";
}

function addOrUpdate(snap) {
  const c = cards.get(snap.id);
  if (c) return c.update(snap);
  const card = new DeviceCard(snap, { wsUrl, onLink: showConnection, onForget: forget });
  cards.set(snap.id, card);
  // Keep cards in id order, as the server lists them.
  const after = [...cards.keys()].sort().find((k) => k > snap.id);
  card.mount(listEl, cardsEl);
  if (after) {
    listEl.insertBefore(card.listItem, cards.get(after).listItem);
    cardsEl.insertBefore(card.root, cards.get(after).root);
  }
}

// An offline board the user no longer wants listed: the bridge clears what it left retained
// on the broker, and every page drops its card when the device list says "removed".
async function forget(id) {
  try {
    const r = await fetch(withToken("api/devices/" + encodeURIComponent(id)), { method: "DELETE", cache: "no-store" });
    if (r.status === 401) askToken(true);
  } catch {
    // server unreachable: the card stays; the connection badge says why
  }
}

function remove(id) {
  const c = cards.get(id);
  if (!c) return;
  c.destroy();
  cards.delete(id);
}

function onChannelMessage(data) {
  let m;
  try {
    m = JSON.parse(data);
  } catch {
    return;
  }
  if (m.type === "devices" && Array.isArray(m.devices)) {
    const ids = new Set(m.devices.map((d) => d.id));
    for (const id of [...cards.keys()]) if (!ids.has(id)) remove(id);
    for (const d of m.devices) addOrUpdate(d);
  } else if (m.type === "device" && m.device) {
    if (m.change === "removed") remove(m.device.id);
    else addOrUpdate(m.device);
  }
  emptyEl.hidden = cards.size > 0;
  showConnection();
}

// A socket that never opened: a wrong or missing token looks the same as a server that is
// down from the browser (no HTTP status on a failed WebSocket), so ask the API which it is.
async function onChannelFail() {
  try {
    const r = await fetch(withToken("api/devices"), { cache: "no-store" });
    if (r.status === 401) {
      askToken(!!token);
      return;
    }
  } catch {
    // server unreachable: the socket keeps retrying
  }
}

function askToken(wrong) {
  stop();
  tokenForm.hidden = false;
  tokenForm.querySelector(".error").hidden = !wrong;
  tokenForm.querySelector("input").focus();
}

function stop() {
  if (channel) channel.close();
  channel = null;
  for (const id of [...cards.keys()]) remove(id);
  showConnection();
}

function start() {
  tokenForm.hidden = true;
  channel = new ReconnectingSocket(wsUrl("ws"), {
    onmessage: onChannelMessage,
    onstate: showConnection,
    onfail: () => {
      onChannelFail();
      return true;
    },
  });
  channel.connect();
}

tokenForm.addEventListener("submit", (e) => {
  e.preventDefault();
  token = tokenForm.querySelector("input").value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  start();
});

start();
