// MQTT 3.1.1 topic names and filters (section 4.7). Character walks instead of split/regex:
// no per-call arrays on the board, and nothing a Lua build could not follow.

function hasNul(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 0) return true;
  return false;
}

// A name a PUBLISH may carry: non-empty, no wildcards, no NUL.
export function isValidTopicName(name: string): boolean {
  if (!name.length || hasNul(name)) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charAt(i);
    if (c === "+" || c === "#") return false;
  }
  return true;
}

// A filter a SUBSCRIBE may carry: '+' fills a whole level, '#' is a whole last level.
export function isValidTopicFilter(filter: string): boolean {
  const n = filter.length;
  if (!n || hasNul(filter)) return false;
  for (let i = 0; i < n; i++) {
    const c = filter.charAt(i);
    if (c !== "+" && c !== "#") continue;
    if (i > 0 && filter.charAt(i - 1) !== "/") return false;
    if (c === "#" && i !== n - 1) return false;
    if (c === "+" && i + 1 < n && filter.charAt(i + 1) !== "/") return false;
  }
  return true;
}

// Whether a valid filter matches a valid topic name. Names starting with '$' are not
// matched by a filter starting with a wildcard (MQTT-4.7.2-1).
export function topicMatches(filter: string, name: string): boolean {
  const f0 = filter.charAt(0);
  if (name.charAt(0) === "$" && (f0 === "+" || f0 === "#")) return false;
  const fl = filter.length;
  const nl = name.length;
  let i = 0;
  let j = 0;
  while (i < fl) {
    const c = filter.charAt(i);
    if (c === "#") return true;
    if (c === "+") {
      while (j < nl && name.charAt(j) !== "/") j++;
      i++;
      continue;
    }
    // "a/#" also matches its parent "a" (MQTT 4.7.1.2)
    if (j >= nl) return i + 2 === fl && c === "/" && filter.charAt(i + 1) === "#";
    if (c !== name.charAt(j)) return false;
    i++;
    j++;
  }
  return j === nl;
}
