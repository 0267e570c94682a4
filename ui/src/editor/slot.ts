// A Slot is one place in the record that a control reads and writes. Writing `undefined` removes
// the key, so a cleared field is absent (not an empty string) and objects that become empty vanish.

export type Slot = {
  get(): unknown;
  set(v: unknown): void;
};

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A key of an object that always exists (the record's `fields`, a group row). */
export function keySlot(obj: () => Obj, key: string): Slot {
  return {
    get: () => obj()[key],
    set: (v) => {
      const o = obj();
      if (v === undefined) delete o[key];
      else o[key] = v;
    },
  };
}

/** A key of an object held by `parent` (compound, signature, consent, ranges): created on the first
 * write, removed with its last key. */
export function subSlot(parent: Slot, key: string): Slot {
  return {
    get: () => {
      const o = parent.get();
      return isObj(o) ? o[key] : undefined;
    },
    set: (v) => {
      const o = parent.get();
      if (isObj(o)) {
        if (v === undefined) {
          delete o[key];
          if (Object.keys(o).length === 0) parent.set(undefined);
        } else {
          o[key] = v;
        }
      } else if (v !== undefined) {
        parent.set({ [key]: v });
      }
    },
  };
}

/** Text as typed; an empty string is no value. */
export function textValue(s: string): string | undefined {
  return s === "" ? undefined : s;
}

/** The value at a dotted path (`plan_employee.name`, `nodes.0.node_id`) of the record's fields. */
export function valueAt(fields: Obj, path: string): unknown {
  let cur: unknown = fields;
  for (const seg of path.split(".")) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}
