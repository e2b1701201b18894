export interface ScopeHazard {
  file: string;
  name: string;
  kind: "nested" | "before";
  line: number;
  column: number;
  declLine: number;
}
export function scopeHazards(code: string, file?: string): ScopeHazard[];
export function assertNoScopeHazards(code: string, file?: string): void;
