/** How actors are named in traces and reports: owners A..Z, then O27, O28... (simulation allows up to 48). */

export const ownerName = (o: number): string => (o < 0 ? 'none' : o < 26 ? String.fromCharCode(65 + o) : `O${o + 1}`);
export const OWNER_NAME = /^(?:[A-Z]|O[0-9]+)$/;

/** A state field holding owner + 1, 0 for none, by the owner's name. */
export const ownerRef = (v: number): string => ownerName(v - 1);

/** The owner an owner name stands for, or -1 for anything else ('none' included). */
export function ownerIndex(name: string): number {
  if (/^[A-Z]$/.test(name)) return name.charCodeAt(0) - 65;
  const m = /^O([0-9]+)$/.exec(name);
  return m === null || Number(m[1]) <= 26 ? -1 : Number(m[1]) - 1;
}
