-- Throughput of the compiled core on one interpreter (bench/lua.bench.ts runs it).
--   lua bench.lua <build dir>
-- Prints "name ops/s" lines: PUBLISH (QoS 1, 64-byte payload) encode and parse, a 64-byte
-- masked WebSocket frame encoded and received, CRC-32 of 1 KB, a board message round trip.
local dir = arg[1]
package.path = dir .. "/?.lua;" .. package.path
if not rawget(_G, "bit") and _VERSION == "Lua 5.1" then bit = require("bit") end

local bytes = require("shared.bytes")
local crc = require("shared.crc32")
local messages = require("shared.messages")
local parser = require("shared.mqtt.parser")
local generator = require("shared.mqtt.generator")
local frame = require("shared.ws.frame")
local receiver = require("shared.ws.receiver")

local function rate(name, f)
  local n, t0 = 0, os.clock()
  local t = t0
  repeat
    for _ = 1, 100 do f() end
    n = n + 100
    t = os.clock()
  until t - t0 > 0.3
  print(string.format("%s %d", name, math.floor(n / (t - t0))))
end

local payload = bytes.alloc(64)
for i = 0, 63 do payload[i] = (i * 31 + 7) % 256 end
local pub = { type = 3, topic = "pinwire/board-7/sensors/light", payload = payload, qos = 1, retain = false, dup = false, id = 4242 }
local wire = generator.encodePublish(pub)
local P = setmetatable({}, parser.MqttParser.prototype)
P:____constructor(parser.CLIENT_DECODERS)
local key = bytes.fromHex("11223344")
local wsFrame = frame.encodeFrame(2, payload, nil, false)
local got = 0
local push = receiver.createReceiver(function() got = got + 1 end, nil, false)
local kb = bytes.alloc(1024)

rate("mqtt-encode-publish", function() generator.encodePublish(pub) end)
rate("mqtt-parse-publish", function() P:push(wire) end)
rate("ws-encode-frame", function() frame.encodeFrame(2, payload, key, false) end)
rate("ws-receive-frame", function() push(wsFrame) end)
rate("crc32-1k", function() crc.crc32(kb) end)
rate("message-roundtrip", function() messages.decodeMessage(messages.encodeMessage(16, -1)) end)
