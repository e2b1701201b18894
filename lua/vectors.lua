-- Runs test vectors against a compiled Lua build of shared/ (test/lua.test.ts writes them).
--   lua vectors.lua <build dir> <vector file> [strict]
-- Each input line is `kind arg...` (space separated; "-" is an empty field) and gives exactly
-- one output line, in order. Hex is lowercase; "x<hex>" is a string or byte field;
-- "E:<code>" is a ProtocolError; "LUAERR:<message>" is anything else thrown.
local dir, file, mode = arg[1], arg[2], arg[3]
if mode == "strict" then PINWIRE_LUA_STRICT = true end
package.path = dir .. "/?.lua;" .. package.path
if not rawget(_G, "bit") and not (_VERSION == "Lua 5.3" or _VERSION == "Lua 5.4") then bit = require("bit") end

local bytes = require("shared.bytes")
local crc = require("shared.crc32")
local topic = require("shared.topic")
local struct = require("shared.struct")
local f32 = require("shared.float32")
local messages = require("shared.messages")
local parser = require("shared.mqtt.parser")
local generator = require("shared.mqtt.generator")
local frame = require("shared.ws.frame")
local receiver = require("shared.ws.receiver")
local sha1 = require("shared.sha1")
local base64 = require("shared.base64")
local handshake = require("shared.ws.handshake")

local toHex, fromHex = bytes.toHex, bytes.fromHex

local function new(C, ...)
  local o = setmetatable({}, C.prototype)
  o:____constructor(...)
  return o
end

local function split(s, sep)
  local out = {}
  if s == "" then return out end
  local i = 1
  while true do
    local j = string.find(s, sep, i, true)
    if not j then
      out[#out + 1] = string.sub(s, i)
      return out
    end
    out[#out + 1] = string.sub(s, i, j - 1)
    i = j + #sep
  end
end

local function hex(s) -- "-" or hex -> byte array
  if s == "-" then return bytes.alloc(0) end
  return fromHex(s)
end

local function strHex(s) return toHex(bytes.utf8Encode(s)) end
local function hexStr(h) return bytes.toBinaryString(hex(h)) end

local function num(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  if x == math.floor(x) and x > -1e15 and x < 1e15 then
    if x == 0 and 1 / x < 0 then return "-0" end
    return string.format("%d", x)
  end
  return string.format("%.17g", x)
end

-- -0 made at run time: Lua 5.1 folds the constant -0.0 into 0.
local zero = 0.0
local function parseNum(s)
  if s == "nan" then return 0 / 0 end
  if s == "inf" then return math.huge end
  if s == "-inf" then return -math.huge end
  if s == "-0" then return -zero end
  return tonumber(s)
end

local function b(v) return v and "1" or "0" end

-- MQTT packets as "key=value,..." (see canon() in test/lua.test.ts): strings and bytes as
-- x<hex>, booleans 1/0, lists joined by "+", parts of an element by "/".
local ORDER = { "type", "id", "clientId", "clean", "keepalive", "username", "password", "will",
  "sessionPresent", "returnCode", "topic", "payload", "qos", "retain", "dup", "subs", "granted", "topics" }
local BYTES_KEYS = { password = true, payload = true }
local BOOL_KEYS = { clean = true, sessionPresent = true, retain = true, dup = true }

local function field(k, v)
  if k == "will" then
    return "x" .. strHex(v.topic) .. "/x" .. toHex(v.payload) .. "/" .. num(v.qos) .. "/" .. b(v.retain)
  elseif k == "subs" then
    local t = {}
    for i = 1, #v do t[i] = "x" .. strHex(v[i].topic) .. "/" .. num(v[i].qos) end
    return table.concat(t, "+")
  elseif k == "granted" then
    local t = {}
    for i = 1, #v do t[i] = num(v[i]) end
    return table.concat(t, "+")
  elseif k == "topics" then
    local t = {}
    for i = 1, #v do t[i] = "x" .. strHex(v[i]) end
    return table.concat(t, "+")
  elseif BYTES_KEYS[k] then
    return "x" .. toHex(v)
  elseif BOOL_KEYS[k] then
    return b(v)
  elseif type(v) == "string" then
    return "x" .. strHex(v)
  end
  return num(v)
end

local function canon(p)
  local t = {}
  for _, k in ipairs(ORDER) do
    if p[k] ~= nil then t[#t + 1] = k .. "=" .. field(k, p[k]) end
  end
  return table.concat(t, ",")
end

local function unx(s) return hexStr(string.sub(s, 2)) end
local function unxb(s) return hex(string.sub(s, 2) == "" and "-" or string.sub(s, 2)) end

local function packetOf(s)
  local p = {}
  for _, kv in ipairs(split(s, ",")) do
    local eq = string.find(kv, "=", 1, true)
    local k, v = string.sub(kv, 1, eq - 1), string.sub(kv, eq + 1)
    if k == "will" then
      local w = split(v, "/")
      p.will = { topic = unx(w[1]), payload = unxb(w[2]), qos = tonumber(w[3]), retain = w[4] == "1" }
    elseif k == "subs" then
      local l = {}
      for i, e in ipairs(split(v, "+")) do
        local w = split(e, "/")
        l[i] = { topic = unx(w[1]), qos = tonumber(w[2]) }
      end
      p.subs = l
    elseif k == "granted" then
      local l = {}
      for i, e in ipairs(split(v, "+")) do l[i] = tonumber(e) end
      p.granted = l
    elseif k == "topics" then
      local l = {}
      for i, e in ipairs(split(v, "+")) do l[i] = unx(e) end
      p.topics = l
    elseif BYTES_KEYS[k] then
      p[k] = unxb(v)
    elseif BOOL_KEYS[k] then
      p[k] = v == "1"
    elseif string.sub(v, 1, 1) == "x" then
      p[k] = unx(v)
    else
      p[k] = tonumber(v)
    end
  end
  return p
end

-- Feeds data to push() in pieces of `size` bytes, each a fresh array as a NodeMCU socket's
-- receive callback would give (a string turned into bytes).
local function chunks(data, size, push)
  local n = data.length
  if n == 0 then return push(data) end
  local i = 0
  while i < n do
    local e = i + size
    if e > n then e = n end
    push(bytes.copy(data, i, e))
    i = e
  end
end

local structs = {}
local function structOf(spec)
  local s = structs[spec]
  if not s then
    local decl = {}
    for i, f in ipairs(split(spec, ",")) do
      local c = string.find(f, ":", 1, true)
      decl[i] = { string.sub(f, 1, c - 1), string.sub(f, c + 1) }
    end
    s = struct.defineStruct(decl)
    structs[spec] = s
  end
  return s
end

local function values(s, v)
  local t = {}
  for i, f in ipairs(s.fields) do
    local x = v[f.name]
    t[i] = type(x) == "string" and "x" .. strHex(x) or num(x)
  end
  return table.concat(t, ",")
end

local run = {}

function run.crc(a) return num(crc.crc32(hex(a))) end
function run.crc2(a, c) return num(crc.crc32(hex(c), crc.crc32(hex(a)))) end

function run.topic(f, n)
  f, n = hexStr(f), hexStr(n)
  local vn, vf = topic.isValidTopicName(n), topic.isValidTopicFilter(f)
  return b(vn) .. " " .. b(vf) .. " " .. ((vn and vf) and b(topic.topicMatches(f, n)) or "-")
end

function run.f32(x)
  local bits = f32.float32Bits(parseNum(x))
  return num(bits) .. " " .. num(f32.float32FromBits(bits))
end

function run.spack(spec, vals)
  local s = structOf(spec)
  local v = {}
  local list = split(vals, ",")
  for i, f in ipairs(s.fields) do
    local x = list[i]
    v[f.name] = string.sub(x, 1, 1) == "x" and unx(x) or parseNum(x)
  end
  local packed = s:pack(v)
  return toHex(packed) .. " " .. values(s, s:unpack(packed))
end

function run.sunpack(spec, h)
  local s = structOf(spec)
  return num(s.size) .. " " .. values(s, s:unpack(hex(h)))
end

function run.msg(cmd, value) return toHex(messages.encodeMessage(tonumber(cmd), tonumber(value))) end
function run.msgd(h)
  local m = messages.decodeMessage(hex(h))
  return num(m.cmd) .. " " .. num(m.value)
end

function run.mqttenc(s) return toHex(generator.encode(packetOf(s))) end

function run.mqttparse(h, size)
  local p = new(parser.MqttParser, parser.ALL_DECODERS)
  local out = {}
  chunks(hex(h), tonumber(size), function(c)
    local got = p:push(c)
    for i = 1, #got do out[#out + 1] = canon(got[i]) .. ";" .. toHex(generator.encode(got[i])) end
  end)
  if #out == 0 then return "-" end
  return table.concat(out, " ")
end

function run.wsenc(op, data, key, more)
  local k = key ~= "-" and hex(key) or nil
  return toHex(frame.encodeFrame(tonumber(op), hex(data), k, more == "1"))
end

function run.wsrecv(server, max, size, h)
  local events = {}
  local push = receiver.createReceiver(function(op, d)
    events[#events + 1] = num(op) .. ":" .. (d.length > 0 and toHex(d) or "-")
  end, max ~= "-" and tonumber(max) or nil, server == "1")
  local ok, err = pcall(chunks, hex(h), tonumber(size), push)
  if not ok then
    if type(err) == "table" and err.code then events[#events + 1] = "E:" .. err.code
    else error(err, 0) end
  end
  return #events > 0 and table.concat(events, " ") or "-"
end

function run.sha1(h) return toHex(sha1.sha1(hex(h))) end
function run.b64(h) return base64.base64(hex(h)) end
function run.accept(k) return handshake.acceptKey(hexStr(k), sha1.sha1) end

local out = {}
local n = 0
for line in io.lines(file) do
  if line ~= "" then
    n = n + 1
    local a = split(line, " ")
    local f = run[a[1]]
    local ok, r
    if f then
      ok, r = pcall(f, (table.unpack or unpack)(a, 2))
    else
      ok, r = false, "unknown vector kind " .. a[1]
    end
    if ok then
      out[n] = r
    elseif type(r) == "table" and r.code then
      out[n] = "E:" .. r.code
    else
      out[n] = "LUAERR:" .. string.gsub(tostring(r), "\n", " ")
    end
  end
end
io.write(table.concat(out, "\n"), "\n")
