// The `bit` module of LuaBitOp (lua5.1 + lua-bitop, built into LuaJIT) and of NodeMCU, which
// lua/tstl/rewrite.mjs calls for JavaScript's bitwise operators on the Lua 5.1 build.
// Operands are taken modulo 2^32; results are signed 32-bit, like JavaScript's (except rshift).
// `bit` is on TSTL's list of reserved identifiers, hence the alias and @customName.
/**
 * @noSelf
 * @customName bit
 */
declare namespace LuaBit {
  function band(a: number, b: number): number;
  function bor(a: number, b: number): number;
  function bxor(a: number, b: number): number;
  function bnot(a: number): number;
  function lshift(a: number, n: number): number;
  function rshift(a: number, n: number): number;
  function arshift(a: number, n: number): number;
}
