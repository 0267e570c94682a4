import { describe, expect, it } from "vitest";
import type { AgencyInfo } from "../src/bindings/AgencyInfo";
import {
  agencyNode,
  appendNode,
  appendStep,
  deleteStep,
  insertStep,
  moveStep,
  nextNodeId,
  nodeChoices,
  nodeLabel,
  normalizeSteps,
  rowsOf,
  stepError,
  stepItems,
  stepOrder,
  svgSize,
  truncate,
} from "../src/editor/routemap";
import type { Obj } from "../src/editor/slot";

const agency: AgencyInfo = {
  key: "attending_physician",
  label: { ja: "主治医", en: "Attending physician" },
  role: { ja: "診断と治療方針を決めます。", en: "Diagnoses and plans treatment." },
  eligibility: { ja: "通院している医療機関の医師です。", en: "The doctor treating the person." },
};

function map(): Obj {
  return {
    nodes: [
      { node_id: "n1", node_type: "person", node_name: "本人" },
      { node_id: "n2", node_type: "attending_physician", node_name: "主治医" },
      { node_id: "n3", node_type: "employer_hr", node_name: "人事" },
    ],
    steps: [
      { step_no: 1, from_node: "n1", to_node: "n2", purpose: "a" },
      { step_no: 2, from_node: "n1", to_node: "n3", purpose: "b", condition: "c" },
      { step_no: 3, from_node: "n2", to_node: "n3", purpose: "d" },
    ],
  };
}

const purposes = (f: Obj): unknown[] => rowsOf(f, "steps").map((s) => s.purpose);
const numbers = (f: Obj): unknown[] => rowsOf(f, "steps").map((s) => s.step_no);

describe("node ids", () => {
  it("starts at n1", () => {
    expect(nextNodeId([])).toBe("n1");
  });

  it("takes one above the highest n<number>, never a gap a removed node left", () => {
    expect(nextNodeId([{ node_id: "n1" }, { node_id: "n3" }])).toBe("n4");
    expect(nextNodeId([{ node_id: "n1" }], [{ from_node: "n1", to_node: "n7" }])).toBe("n8");
    expect(nextNodeId([{ node_id: "doctor" }, { node_id: " n2 " }, {}])).toBe("n3");
  });
});

describe("adding", () => {
  it("makes a node row from a catalogue agency in the UI language", () => {
    expect(agencyNode(agency, "ja", "n4")).toEqual({
      node_id: "n4",
      node_type: "attending_physician",
      node_name: "主治医",
      node_role: "診断と治療方針を決めます。",
      node_eligibility: "通院している医療機関の医師です。",
    });
    expect(agencyNode(agency, "en", "n1").node_name).toBe("Attending physician");
  });

  it("cuts the eligibility to 200 characters with an ellipsis", () => {
    const long = { ...agency, eligibility: { ja: "あ".repeat(250), en: "" } };
    const row = agencyNode(long, "en", "n1");
    const text = String(row.node_eligibility);
    expect([...text].length).toBe(200);
    expect(text.endsWith("…")).toBe(true);
    expect(agencyNode(long, "ja", "n1", (k) => (k === "node_eligibility" ? 10 : undefined)).node_eligibility).toBe(
      `${"あ".repeat(9)}…`,
    );
  });

  it("truncates by characters, not UTF-16 units", () => {
    expect(truncate("𠮷野家の牛丼", 4)).toBe("𠮷野家…");
    expect(truncate("abc", 3)).toBe("abc");
    expect(truncate("abc", null)).toBe("abc");
  });

  it("appends nodes, creating the group when the record has none", () => {
    const f: Obj = {};
    expect(appendNode(f, { node_id: "n1" })).toBe(0);
    expect(appendNode(f, { node_id: "n2" })).toBe(1);
    expect(f.nodes).toEqual([{ node_id: "n1" }, { node_id: "n2" }]);
  });

  it("appends a numbered step; the condition only when given", () => {
    const f = map();
    expect(appendStep(f, { from: "n3", to: "n1", purpose: "  報告  ", condition: " " })).toBe(4);
    expect(rowsOf(f, "steps")[3]).toEqual({ step_no: 4, from_node: "n3", to_node: "n1", purpose: "報告" });
    const g: Obj = {};
    expect(appendStep(g, { from: "n1", to: "n2", purpose: "p", condition: "50人未満" })).toBe(1);
    expect(g.steps).toEqual([{ step_no: 1, from_node: "n1", to_node: "n2", purpose: "p", condition: "50人未満" }]);
  });

  it("numbers past the highest step when count + 1 is taken", () => {
    const f: Obj = { steps: [{ step_no: 1 }, { step_no: 5 }] };
    expect(appendStep(f, { from: "a", to: "b", purpose: "p" })).toBe(6);
  });

  it("refuses a step without ends, to itself or without a purpose", () => {
    expect(stepError({ from: "", to: "n2", purpose: "p" })).toBe("from_missing");
    expect(stepError({ from: "n1", to: "", purpose: "p" })).toBe("to_missing");
    expect(stepError({ from: "n1", to: "n1", purpose: "p" })).toBe("same");
    expect(stepError({ from: "n1", to: "n2", purpose: "  \n" })).toBe("purpose_missing");
    expect(stepError({ from: "n1", to: "n2", purpose: "p" })).toBeNull();
  });
});

describe("moving and deleting steps", () => {
  it("moves a step earlier or later and renumbers 1..n", () => {
    const f = map();
    const steps = f.steps as unknown[];
    expect(moveStep(steps, 2, -1)).toBe(1);
    expect(purposes(f)).toEqual(["a", "d", "b"]);
    expect(numbers(f)).toEqual([1, 2, 3]);
    expect(moveStep(steps, 0, 1)).toBe(1);
    expect(purposes(f)).toEqual(["d", "a", "b"]);
    expect(numbers(f)).toEqual([1, 2, 3]);
  });

  it("does nothing at the ends", () => {
    const f = map();
    const steps = f.steps as unknown[];
    expect(moveStep(steps, 0, -1)).toBeNull();
    expect(moveStep(steps, 2, 1)).toBeNull();
    expect(purposes(f)).toEqual(["a", "b", "d"]);
  });

  it("works in step order when the array is not", () => {
    const f: Obj = {
      steps: [
        { step_no: 3, purpose: "c" },
        { step_no: 1, purpose: "a" },
        { purpose: "x" },
        { step_no: 2, purpose: "b" },
      ],
    };
    expect(stepOrder(f.steps as unknown[])).toEqual([1, 3, 0, 2]);
    // Place 1 in step order is "b": move it later, past "c".
    expect(moveStep(f.steps as unknown[], 1, 1)).toBe(2);
    expect(purposes(f)).toEqual(["a", "c", "b", "x"]);
    expect(numbers(f)).toEqual([1, 2, 3, 4]);
  });

  it("deletes a step and renumbers; undo puts it back", () => {
    const f = map();
    const steps = f.steps as unknown[];
    const row = deleteStep(steps, 1);
    expect((row as Obj).purpose).toBe("b");
    expect(purposes(f)).toEqual(["a", "d"]);
    expect(numbers(f)).toEqual([1, 2]);
    insertStep(steps, 1, row);
    expect(purposes(f)).toEqual(["a", "b", "d"]);
    expect(numbers(f)).toEqual([1, 2, 3]);
    expect(deleteStep(steps, 9)).toBeUndefined();
  });

  it("keeps the row objects (so keyed lists keep their rows)", () => {
    const f = map();
    const steps = f.steps as Obj[];
    const third = steps[2];
    moveStep(steps, 2, -1);
    expect(steps[1]).toBe(third);
    normalizeSteps(steps);
    expect(steps[1]).toBe(third);
  });
});

describe("labels", () => {
  it("names a node by id, falling back to the id, or null when no node has it", () => {
    const nodes = [{ node_id: "n1", node_name: "本人" }, { node_id: "n2", node_name: " " }];
    expect(nodeLabel(nodes, "n1")).toBe("本人");
    expect(nodeLabel(nodes, "n2")).toBe("n2");
    expect(nodeLabel(nodes, "n9")).toBeNull();
    expect(nodeLabel(nodes, "")).toBeNull();
    expect(nodeLabel(nodes, undefined)).toBeNull();
  });

  it("offers each named id once", () => {
    expect(nodeChoices([{ node_id: "n1", node_name: "本人" }, { node_id: "" }, { node_id: "n1", node_name: "重複" }, { node_id: "n2" }])).toEqual([
      { id: "n1", name: "本人" },
      { id: "n2", name: "" },
    ]);
  });

  it("lists the steps in step order with node names", () => {
    const f = map();
    (f.steps as Obj[]).reverse();
    (f.steps as Obj[])[0]!.to_node = "n9";
    const items = stepItems(f);
    expect(items.map((s) => s.no)).toEqual([1, 2, 3]);
    expect(items.map((s) => s.pos)).toEqual([0, 1, 2]);
    expect(items[0]).toMatchObject({ fromName: "本人", toName: "主治医", purpose: "a", condition: "" });
    expect(items[1]).toMatchObject({ condition: "c" });
    expect(items[2]).toMatchObject({ from: "n2", to: "n9", toName: null });
    expect(stepItems({})).toEqual([]);
  });
});

describe("svg size", () => {
  it("reads the root's width and height", () => {
    expect(svgSize('<svg xmlns="http://www.w3.org/2000/svg" viewBox="-8 -8 300 120.5" width="300" height="120.5"><rect width="5" height="5"/></svg>')).toEqual({
      width: 300,
      height: 120.5,
    });
    expect(svgSize('<svg viewBox="0 0 10 10"><rect width="5" height="5"/></svg>')).toBeNull();
    expect(svgSize("")).toBeNull();
  });
});
