// `pinwire init`: a new app project from template/ (declaration, logic, pinwire.json, a
// tsconfig that extends the board's, a test on the virtual board, a README), depending on this
// checkout by path until pinwire is published. {{name}} and {{pinwire}} are filled in.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FlashError } from "../../flash/errors";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const TEMPLATE = join(root, "template");

// An app name is topic-safe (docs/catalogue.md): lower case, digits, "-" and "_".
export function appName(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "my-app"
  );
}

export function initProject(dir: string, o: { name?: string; force?: boolean } = {}): { dir: string; name: string; files: string[] } {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length && !o.force) throw new FlashError("init", target + " is not empty (give --force to write into it anyway)");
  const name = appName(o.name ?? basename(target));
  const pinwire = (relative(target, root) || ".").split("\\").join("/");
  const files: string[] = [];
  const copy = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const f of readdirSync(from)) {
      const src = join(from, f);
      // Kept as "gitignore" in the template: npm and git treat a .gitignore there as their own.
      const dst = join(to, f === "gitignore" ? ".gitignore" : f);
      if (statSync(src).isDirectory()) copy(src, dst);
      else {
        writeFileSync(dst, readFileSync(src, "utf8").replaceAll("{{name}}", name).replaceAll("{{pinwire}}", pinwire));
        files.push(relative(target, dst));
      }
    }
  };
  copy(TEMPLATE, target);
  return { dir: target, name, files: files.sort() };
}
