import { describe, expect, it } from "vitest";
import { isValidTopicFilter, isValidTopicName, topicMatches } from "../shared/topic";

describe("topic names and filters (MQTT 3.1.1 section 4.7)", () => {
  it("validates names", () => {
    for (const n of ["a", "a/b", "/", "/a", "a/", "$SYS/x", "sport/tennis/player1", "é/€"]) expect(isValidTopicName(n), n).toBe(true);
    for (const n of ["", "a/+", "#", "a/#", "a\u0000b", "+"]) expect(isValidTopicName(n), n).toBe(false);
  });

  it("validates filters", () => {
    for (const f of ["#", "+", "a/#", "a/+/b", "+/+", "/+", "+/", "sport/tennis/+", "a//b", "$SYS/#"]) expect(isValidTopicFilter(f), f).toBe(true);
    for (const f of ["", "a#", "a/#/b", "a+", "a/b+", "+a", "##", "a/#/", "a\u0000"]) expect(isValidTopicFilter(f), f).toBe(false);
  });

  // The spec's own examples (4.7.1.2, 4.7.1.3, 4.7.2)
  const cases: [string, string, boolean][] = [
    ["sport/tennis/player1/#", "sport/tennis/player1", true],
    ["sport/tennis/player1/#", "sport/tennis/player1/ranking", true],
    ["sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true],
    ["sport/#", "sport", true],
    ["#", "sport/tennis", true],
    ["sport/tennis/+", "sport/tennis/player1", true],
    ["sport/tennis/+", "sport/tennis/player1/ranking", false],
    ["sport/+", "sport", false],
    ["sport/+", "sport/", true],
    ["+/+", "/finance", true],
    ["/+", "/finance", true],
    ["+", "/finance", false],
    ["#", "$SYS/broker", false],
    ["+/monitor/Clients", "$SYS/monitor/Clients", false],
    ["$SYS/#", "$SYS/monitor/Clients", true],
    ["$SYS/monitor/+", "$SYS/monitor/Clients", true],
    ["a/b", "a/b", true],
    ["a/b", "a/bc", false],
    ["a/bc", "a/b", false],
    ["a/+/c", "a/b/c", true],
    ["a/+/c", "a//c", true],
    ["a/+/c", "a/b/d", false],
    ["pinwire/+/cmd", "pinwire/dev1/cmd", true],
    ["pinwire/+/cmd", "pinwire/dev1/state", false],
  ];
  for (const [f, n, want] of cases) it(`${f} ${want ? "matches" : "does not match"} ${n}`, () => expect(topicMatches(f, n)).toBe(want));

  it("agrees with a level-by-level reference on random topics", () => {
    const ref = (f: string, n: string) => {
      if (n[0] === "$" && (f[0] === "+" || f[0] === "#")) return false;
      const fl = f.split("/");
      const nl = n.split("/");
      for (let i = 0; i < fl.length; i++) {
        if (fl[i] === "#") return true;
        if (i >= nl.length) return false;
        if (fl[i] !== "+" && fl[i] !== nl[i]) return false;
      }
      return fl.length === nl.length;
    };
    const parts = ["a", "b", "", "$x"];
    let seed = 7;
    const pick = () => parts[(seed = (seed * 48271) % 2147483647) % parts.length];
    for (let i = 0; i < 5000; i++) {
      const len = 1 + (i % 4);
      const n = Array.from({ length: len }, pick).join("/");
      const f = Array.from({ length: 1 + ((i >> 2) % 4) }, (_, k) => (seed % 5 === k ? "+" : pick())).join("/") + (i % 7 === 0 ? "/#" : "");
      if (!isValidTopicName(n) || !isValidTopicFilter(f)) continue;
      expect(topicMatches(f, n), `${f} vs ${n}`).toBe(ref(f, n));
    }
  });
});
