/**
 * The inspector's typed grades, kept outside React state: each row subscribes to its own entry,
 * so a keystroke re-renders that one row (and the submit bar), not the whole queue of 1,000.
 */
import { type Msg, validateInspection } from "./validate.ts";

export interface GradeRow {
  grades: [string, string, string, string];
  rejected: string;
  moisture: string;
  /** Set by the first edit: errors are shown only for rows the inspector has typed in. */
  touched: boolean;
}

export const EMPTY_ROW: GradeRow = {
  grades: ["", "", "", ""],
  rejected: "",
  moisture: "14.0",
  touched: false,
};

type Listener = () => void;

export class InspectionStore {
  private rows = new Map<string, GradeRow>();
  private problems = new Map<string, Msg | null>();
  private units = new Map<string, number>();
  private rowSubs = new Map<string, Set<Listener>>();
  private allSubs = new Set<Listener>();
  private readyIds: readonly string[] = [];

  /** The queue's delivered units per sale (what the grades must add up to). */
  setUnits(units: ReadonlyMap<string, number>): void {
    this.units = new Map(units);
    for (const id of [...this.rows.keys()]) if (!this.units.has(id)) this.rows.delete(id);
    for (const id of this.rows.keys()) this.revalidate(id);
    this.refreshReady();
    for (const id of this.rowSubs.keys()) this.emitRow(id);
  }

  get(id: string): GradeRow {
    return this.rows.get(id) ?? EMPTY_ROW;
  }

  /** The row's error, only once it has been typed in. */
  problem(id: string): Msg | null {
    return this.problems.get(id) ?? null;
  }

  set(id: string, row: GradeRow): void {
    this.rows.set(id, row);
    this.revalidate(id);
    this.refreshReady();
    this.emitRow(id);
  }

  /** Sets many rows with one notification of the submit bar. */
  setMany(entries: Iterable<[string, GradeRow]>): void {
    const ids: string[] = [];
    for (const [id, row] of entries) {
      this.rows.set(id, row);
      this.revalidate(id);
      ids.push(id);
    }
    this.refreshReady();
    for (const id of ids) this.emitRow(id);
  }

  clear(ids: Iterable<string>): void {
    const list = [...ids];
    for (const id of list) {
      this.rows.delete(id);
      this.problems.delete(id);
    }
    this.refreshReady();
    for (const id of list) this.emitRow(id);
  }

  /** Typed-in rows whose grades add up (the ones a submit sends), in typing order. */
  ready(): readonly string[] {
    return this.readyIds;
  }

  subscribeRow(id: string, fn: Listener): () => void {
    let set = this.rowSubs.get(id);
    if (!set) {
      set = new Set();
      this.rowSubs.set(id, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.rowSubs.delete(id);
    };
  }

  subscribeReady(fn: Listener): () => void {
    this.allSubs.add(fn);
    return () => this.allSubs.delete(fn);
  }

  private revalidate(id: string): void {
    const row = this.rows.get(id);
    const units = this.units.get(id);
    if (!row?.touched || units === undefined) {
      this.problems.delete(id);
      return;
    }
    this.problems.set(id, validateInspection({ units, ...row }));
  }

  private refreshReady(): void {
    const next: string[] = [];
    for (const [id, row] of this.rows)
      if (row.touched && this.units.has(id) && this.problems.get(id) === null) next.push(id);
    const same =
      next.length === this.readyIds.length && next.every((id, i) => this.readyIds[i] === id);
    if (same) return;
    this.readyIds = next;
    for (const fn of this.allSubs) fn();
  }

  private emitRow(id: string): void {
    for (const fn of this.rowSubs.get(id) ?? []) fn();
  }
}
