-- The Lua implementation of shared/bytes.ts, used by every Lua build in place of the
-- compiled TypeScript (scripts/build-lua.mjs pairs it with the declaration of bytes.ts).
--
-- A byte array is a table with 0-based integer keys 0..length-1 and a `length` field, which
-- is what typescript-to-lua emits for `b[i]` and `b.length` on a non-Array type. Views
-- (subarray) are proxies onto the same storage. Strings are Lua strings, i.e. bytes: a
-- string's UTF-8 encoding is the string itself.
--
-- Arithmetic only (no bitwise operators, no `bit` module), so one file serves Lua 5.1,
-- LuaJIT, NodeMCU and Lua 5.3.
--
-- PINWIRE_LUA_STRICT (a global set before the first require) makes every array a checked
-- proxy: a store must be an integer in range for the array type and an index inside the
-- array. JavaScript typed arrays wrap or drop such stores silently, plain Lua tables keep
-- them, so the strict mode proves the protocol code never depends on either.

local floor = math.floor
local schar, sbyte, ssub = string.char, string.byte, string.sub
local unpack = table.unpack or unpack
local setmetatable, rawget, type = setmetatable, rawget, type

local strict = rawget(_G, "PINWIRE_LUA_STRICT") and true or false

-- typescript-to-lua's class shape: __TS__New(C, ...) does
-- setmetatable({}, C.prototype):____constructor(...)
local function class(name, lo, hi)
  local C = { name = name, prototype = {} }
  local P = C.prototype
  P.constructor = C
  C.lo, C.hi = lo, hi
  return C, P
end

local U8, U8P = class("Uint8Array", 0, 255)
local I32, I32P = class("Int32Array", -2147483648, 2147483647)

local function badStore(C, k, v, len)
  error(C.name .. " store out of range: [" .. tostring(k) .. "] = " .. tostring(v) .. " (length " .. tostring(len) .. ")", 3)
end

-- Arrays are not filled at allocation: a position never written reads as 0 through
-- __index, so alloc(n) costs O(1) like a typed array's (zeroed pages), even for a hostile n.

-- A proxy onto base[off .. off+length). Raw fields: length, __b (storage), __o (offset),
-- __c (class). Numeric keys are never raw, so every access goes through the metamethods.
local proxyMeta = {}
local function proxy(C, base, off, n)
  return setmetatable({ length = n, __b = base, __o = off, __c = C }, proxyMeta[C])
end

for _, C in ipairs({ U8, I32 }) do
  local P = C.prototype
  local lo, hi = C.lo, C.hi
  -- plain arrays: unwritten positions inside the array read 0, names find the methods
  P.__index = function(t, k)
    if type(k) == "number" then
      if k >= 0 and k < rawget(t, "length") and k == floor(k) then return 0 end
      return nil
    end
    return P[k]
  end
  proxyMeta[C] = {
    __index = function(t, k)
      if type(k) == "number" then
        if k >= 0 and k < t.length then return t.__b[t.__o + k] or 0 end
        return nil
      end
      return P[k]
    end,
    __newindex = function(t, k, v)
      if type(k) ~= "number" then
        rawset(t, k, v)
        return
      end
      if strict then
        if not (k >= 0 and k < t.length and k == floor(k)) or type(v) ~= "number" or v ~= floor(v) or v < lo or v > hi then
          badStore(C, k, v, t.length)
        end
      elseif not (k >= 0 and k < t.length) then
        return -- a typed array ignores stores outside it
      end
      t.__b[t.__o + k] = v
    end,
  }
end

local function new(C, n)
  if strict then return proxy(C, {}, 0, n) end
  return setmetatable({ length = n }, C.prototype)
end

local function root(b)
  local base = rawget(b, "__b")
  if base then return base, rawget(b, "__o") end
  return b, 0
end

-- Constructors for `new Uint8Array(n)` / `new Int32Array(n)` in compiled code (crc32's table).
local function construct(C)
  return function(self, n)
    if type(n) ~= "number" then error(C.name .. ": only new " .. C.name .. "(length) is supported", 2) end
    local t = new(C, n)
    -- __TS__New already made `self`; the array is returned through its fields
    for k, v in pairs(t) do rawset(self, k, v) end
    setmetatable(self, getmetatable(t))
  end
end
U8P.____constructor = construct(U8)
I32P.____constructor = construct(I32)

local function clamp(i, n, default)
  if i == nil then return default end
  if i < 0 then i = i + n; if i < 0 then i = 0 end end
  if i > n then i = n end
  return i
end

local function subarray(b, s, e)
  local n = b.length
  s = clamp(s, n, 0)
  e = clamp(e, n, n)
  if e < s then e = s end
  local base, off = root(b)
  local C = rawget(b, "__c") or getmetatable(b).constructor
  return proxy(C, base, off + s, e - s)
end

-- dst.set(src, offset); copies through a temporary when both share storage (as JS does).
local function set(dst, src, offset)
  offset = offset or 0
  local n = src.length
  if offset + n > dst.length then error("RangeError: offset is out of bounds", 2) end
  if root(dst) == root(src) then
    local tmp = {}
    for i = 0, n - 1 do tmp[i] = src[i] end
    src = tmp
  end
  for i = 0, n - 1 do dst[offset + i] = src[i] end
end

U8P.subarray, U8P.set = subarray, set
I32P.subarray, I32P.set = subarray, set

Uint8Array = U8
Int32Array = I32

local M = {}

function M.alloc(n) return new(U8, n) end

function M.view(b, s, e) return subarray(b, s, e) end

function M.copy(b, s, e)
  local out = new(U8, e - s)
  for i = 0, e - s - 1 do out[i] = b[s + i] end
  return out
end

function M.put(dst, src, offset) set(dst, src, offset) end

function M.concat(a, b)
  if a.length == 0 then return b end
  if b.length == 0 then return a end
  local na = a.length
  local out = new(U8, na + b.length)
  for i = 0, na - 1 do out[i] = a[i] end
  for i = 0, b.length - 1 do out[na + i] = b[i] end
  return out
end

-- JavaScript's `x >>> 0`. LuaBitOp returns signed results; % with a positive divisor does not.
function M.u32(x) return x % 4294967296 end

function M.readU16BE(b, i) return b[i] * 256 + b[i + 1] end

-- (v >> 8) & 255 and v & 255, for any integer v
function M.writeU16BE(b, i, v)
  b[i] = floor(v / 256) % 256
  b[i + 1] = v % 256
end

function M.fromBinaryString(s)
  local n = #s
  local out = new(U8, n)
  for i = 1, n do out[i - 1] = sbyte(s, i) end
  return out
end

-- string.char takes its bytes as arguments: go in chunks that fit the C stack.
local function bytesToString(b, s, e)
  local parts, tmp = {}, {}
  local i = s
  while i < e do
    local j = i + 4096
    if j > e then j = e end
    for k = i, j - 1 do tmp[k - i + 1] = b[k] end
    parts[#parts + 1] = schar(unpack(tmp, 1, j - i))
    i = j
  end
  return table.concat(parts)
end

function M.toBinaryString(b) return bytesToString(b, 0, b.length) end

-- Strings are already UTF-8 bytes.
function M.utf8Length(s) return #s end

function M.utf8Write(b, offset, s)
  for i = 1, #s do b[offset + i - 1] = sbyte(s, i) end
  return offset + #s
end

function M.utf8Encode(s) return M.fromBinaryString(s) end

-- Strict UTF-8 (RFC 3629) check of b[s..e), then those bytes as the string; nil if invalid.
function M.utf8Decode(b, s, e)
  local i = s
  while i < e do
    local c = b[i]
    i = i + 1
    if c >= 0x80 then
      local cp, need, min
      if c >= 0xc2 and c <= 0xdf then
        cp, need, min = c - 0xc0, 1, 0x80
      elseif c >= 0xe0 and c <= 0xef then
        cp, need, min = c - 0xe0, 2, 0x800
      elseif c >= 0xf0 and c <= 0xf4 then
        cp, need, min = c - 0xf0, 3, 0x10000
      else
        return nil
      end
      if i + need > e then return nil end
      for _ = 1, need do
        local d = b[i]
        i = i + 1
        if d < 0x80 or d > 0xbf then return nil end
        cp = cp * 64 + (d - 0x80)
      end
      if cp < min or cp > 0x10ffff or (cp >= 0xd800 and cp <= 0xdfff) then return nil end
    end
  end
  return bytesToString(b, s, e)
end

local HEX = "0123456789abcdef"

function M.toHex(b)
  local parts = {}
  for i = 0, b.length - 1 do
    local v = b[i]
    local hi = floor(v / 16)
    parts[i + 1] = ssub(HEX, hi + 1, hi + 1) .. ssub(HEX, v - hi * 16 + 1, v - hi * 16 + 1)
  end
  return table.concat(parts)
end

function M.fromHex(h)
  local out = new(U8, floor(#h / 2))
  for i = 0, out.length - 1 do out[i] = tonumber(ssub(h, i * 2 + 1, i * 2 + 2), 16) end
  return out
end

return M
