// Espruino's Storage (flash file store) kept on disk, one file per Storage name, so code and
// config written by the board or by the host survive reboots and restarts of the simulator.
// The board thread and the host each open the directory; a file is replaced whole (written
// beside, then renamed), so neither ever reads half a write.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const MAX_NAME = 28; // Espruino's Storage file name limit
const threadTag = Math.random().toString(36).slice(2, 8);

// Storage names may hold any byte; encode them so every name maps to one safe file name.
function fileName(name: string): string {
  return "s_" + Buffer.from(name, "latin1").toString("hex");
}

function storageName(file: string): string | null {
  return file.startsWith("s_") ? Buffer.from(file.slice(2), "hex").toString("latin1") : null;
}

export class DiskStorage {
  constructor(
    readonly dir: string,
    readonly capacity: number,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  private path(name: string): string {
    return join(this.dir, fileName(name));
  }

  checkName(name: string): void {
    if (!name.length || name.length > MAX_NAME) throw new Error("Invalid Storage filename " + JSON.stringify(name));
  }

  read(name: string): Buffer | undefined {
    const p = this.path(name);
    return existsSync(p) ? readFileSync(p) : undefined;
  }

  // Whole-file write; or, with totalSize, the first piece of a file of that size whose other
  // bytes stay 0xFF until later pieces (offset > 0) program them. Flash can only clear bits,
  // so a later piece ANDs into what is there.
  write(name: string, data: Buffer, offset = 0, totalSize?: number): void {
    this.checkName(name);
    let file: Buffer;
    if (totalSize !== undefined && offset === 0) {
      if (data.length > totalSize) throw new Error("Too much data for file size");
      file = Buffer.alloc(totalSize, 0xff);
      data.copy(file, 0);
    } else if (offset > 0 || totalSize !== undefined) {
      const cur = this.read(name);
      if (!cur) throw new Error("Can't write at an offset of a file that does not exist");
      if (offset + data.length > cur.length) throw new Error("Too much data for file size");
      file = cur;
      for (let i = 0; i < data.length; i++) file[offset + i] &= data[i];
    } else file = data;
    if (file.length > this.getFree() + (this.read(name)?.length ?? 0)) throw new Error("Not enough free space in Storage");
    const tmp = join(this.dir, "t_" + process.pid + "_" + threadTag + "_" + fileName(name));
    writeFileSync(tmp, file);
    renameSync(tmp, this.path(name));
  }

  erase(name: string): void {
    rmSync(this.path(name), { force: true });
  }

  eraseAll(): void {
    for (const n of this.list()) this.erase(n);
  }

  list(): string[] {
    const names: string[] = [];
    for (const f of readdirSync(this.dir)) {
      const n = storageName(f);
      if (n !== null) names.push(n);
    }
    return names.sort();
  }

  // Each file costs a 32-byte header plus its data rounded to 4 bytes, as in jsflash.c.
  used(): number {
    let n = 0;
    for (const name of this.list()) n += 32 + (((this.read(name)?.length ?? 0) + 3) & ~3);
    return n;
  }

  getFree(): number {
    return Math.max(0, this.capacity - this.used());
  }
}
