import { describe, expect, it } from "vitest";
import type { ConsentRow } from "../src/bindings/ConsentRow";
import type { ConsentState } from "../src/bindings/ConsentState";
import type { Disclosure } from "../src/bindings/Disclosure";
import type { DisclosurePreview } from "../src/bindings/DisclosurePreview";
import type { IpcError } from "../src/bindings/IpcError";
import type { Outcome } from "../src/bindings/Outcome";
import {
  consentErrorField,
  coveredScope,
  fieldLabel,
  newestDisclosures,
  normalizeRecipient,
  outcomeCounts,
  purposes,
  recipientChoices,
  roleLabel,
  roleOptions,
  scopeOptions,
  scopeTitle,
  sortConsents,
  stateDate,
  validUntil,
} from "../src/lib/consents";
import type { Template } from "../src/lib/template";

const tx = (ja: string, en = ja) => ({ ja, en });

let n = 0;
function row(
  recipient: string,
  state: ConsentState = { state: "valid" },
  more: Partial<ConsentRow["consent"]> = {},
): ConsentRow {
  n++;
  return {
    consent: {
      id: `c${n}`,
      case_id: "case",
      document_id: "doc",
      recipient,
      role: null,
      purpose: `purpose ${n}`,
      sections: null,
      method: "signature",
      recorded_by: null,
      given_on: "2026-01-01",
      expires_on: null,
      withdrawn_on: null,
      given_at_seq: 1,
      created_at: `2026-01-01T00:00:${String(n).padStart(2, "0")}Z`,
      ...more,
    },
    state,
  };
}

const WC: Template = {
  id: "work-consideration",
  version: 1,
  title: tx("両立支援"),
  sections: [
    { key: "document", title: tx("文書情報", "Document"), fields: [] },
    { key: "part_a", part: "a", title: tx("勤務情報", "Work information"), fields: [] },
    { key: "part_b", part: "b", title: tx("主治医の意見", "Physician"), fields: [] },
    { key: "part_b2", part: "b", title: tx("補足", "Notes"), fields: [] },
  ],
};

const DR: Template = {
  id: "dialogue-record",
  version: 1,
  title: tx("対話記録"),
  sections: [
    {
      key: "person",
      title: tx("本人"),
      fields: [
        { key: "diagnosis_name", type: "text", label: tx("診断名", "Diagnosis"), sensitive: true },
        {
          key: "barriers",
          type: "group",
          label: tx("支障", "Barriers"),
          fields: [{ key: "description", type: "long_text", label: tx("支障の内容", "Description"), sensitive: true }],
        },
      ],
    },
    {
      key: "agreement",
      title: tx("合意"),
      fields: [
        {
          key: "share_with",
          type: "multi",
          label: tx("情報共有先"),
          options: [
            { key: "hr", label: tx("人事", "HR") },
            { key: "occupational_health_staff", label: tx("産業医・産業保健スタッフ", "Occupational health") },
            { key: "nobody", label: tx("共有しない", "Do not share") },
          ],
        },
      ],
    },
  ],
};

describe("recipients", () => {
  it("compares names as Rust does (NFKC, white space folded, case kept)", () => {
    expect(normalizeRecipient("  みどり食品　人事部  小林 ")).toBe("みどり食品 人事部 小林");
    expect(normalizeRecipient("ＡＢＣ商事")).toBe("ABC商事");
    expect(normalizeRecipient("abc")).not.toBe(normalizeRecipient("ABC"));
  });

  it("lists each recipient once, usable ones first, with the reasons of the others", () => {
    const rows = [
      row("産業医 中村", { state: "expired", expires_on: "2026-02-01" }),
      row("人事部 小林", { state: "valid" }, { expires_on: "2026-12-31" }),
      row("人事部　小林", { state: "withdrawn", withdrawn_on: "2026-03-01" }),
      row("ハローワーク", { state: "withdrawn", withdrawn_on: "2026-03-02" }),
      row("人事部 小林", { state: "valid" }, { expires_on: "2027-03-31", purpose: "purpose 2" }),
    ];
    const list = recipientChoices(rows);
    expect(list.map((c) => c.key)).toEqual(["人事部 小林", "産業医 中村", "ハローワーク"]);
    const hr = list[0]!;
    expect(hr.valid).toHaveLength(2);
    expect(hr.other).toHaveLength(1);
    expect(validUntil(hr)).toBe("2027-03-31");
    expect(purposes(hr)).toEqual(["purpose 2"]);
    expect(list[1]!.valid).toHaveLength(0);
    expect(stateDate(list[1]!.other[0]!.state)).toBe("2026-02-01");
    expect(stateDate({ state: "valid" })).toBeNull();
  });

  it("names the recipient as its newest valid consent does", () => {
    const list = recipientChoices([row("人事部　小林"), row("人事部 小林", { state: "expired", expires_on: "2026-01-31" }), row("人事部 小林 ")]);
    expect(list).toHaveLength(1);
    expect(list[0]!.recipient).toBe("人事部 小林 ");
  });

  it("holds until withdrawn when one valid consent has no expiry; covers all when one has no sections", () => {
    const a = recipientChoices([row("X", { state: "valid" }, { expires_on: "2026-05-01", sections: ["person"] }), row("X", { state: "valid" }, { sections: ["request", "person"] })])[0]!;
    expect(validUntil(a)).toBeNull();
    expect(coveredScope(a)).toEqual(["request", "person"]);
    const b = recipientChoices([row("Y", { state: "valid" }, { sections: ["person"] }), row("Y")])[0]!;
    expect(coveredScope(b)).toBeNull();
  });

  it("lists the ledger with valid consents first, newest first", () => {
    const old = row("A");
    const gone = row("B", { state: "withdrawn", withdrawn_on: "2026-02-01" });
    const fresh = row("C");
    expect(sortConsents([old, gone, fresh]).map((r) => r.consent.recipient)).toEqual(["C", "A", "B"]);
  });
});

describe("form options", () => {
  it("offers sections without a part by key and each part once", () => {
    const o = scopeOptions(WC);
    expect(o.map((x) => x.key)).toEqual(["document", "a", "b"]);
    expect(o[2]!.title.ja).toBe("主治医の意見・補足");
    expect(o[2]!.part).toBe(true);
    expect(scopeTitle(WC, "part_b").ja).toBe("主治医の意見");
    expect(scopeTitle(WC, "zz").ja).toBe("zz");
    expect(scopeTitle(null, "a").en).toBe("a");
  });

  it("offers the dialogue record's share_with roles without 'do not share'", () => {
    const roles = roleOptions(DR);
    expect(roles.map((r) => r.key)).toEqual(["hr", "occupational_health_staff"]);
    expect(roleOptions(null)).toEqual([]);
    expect(roleLabel("hr", roles, "en")).toBe("HR");
    expect(roleLabel("人事", roles, "ja")).toBe("人事");
    expect(roleLabel("総務課", roles, "ja")).toBe("総務課");
  });

  it("finds the form field a consent_add error names", () => {
    const e = (code: IpcError["code"], field: string | null): IpcError => ({ code, ja: "…", en: "…", field, field_message: null, detail: null });
    expect(consentErrorField(e("consent.bad_field", "recipient"))).toBe("recipient");
    expect(consentErrorField(e("consent.bad_field", "recorded_by"))).toBe("recorded_by");
    expect(consentErrorField(e("consent.bad_field", "given_on"))).toBe("given_on");
    expect(consentErrorField(e("consent.unknown_section", "sections"))).toBe("sections");
    expect(consentErrorField(e("consent.withdrawn_before_given", "withdrawn_on"))).toBeNull();
    expect(consentErrorField(e("store.database", "recipient"))).toBeNull();
    expect(consentErrorField(e("ui.unexpected", null))).toBeNull();
  });
});

describe("disclosures", () => {
  const field = (path: string, outcome: Outcome) => ({
    path,
    label: tx(path),
    sensitive: outcome !== "included",
    value: "v",
    sent: outcome === "withheld" ? null : "v",
    outcome,
    reason: tx("r"),
  });

  it("counts the fields that go, go in part, or are withheld", () => {
    const p: DisclosurePreview = {
      title: tx("t"),
      recipient: "X",
      consents: ["c1"],
      sensitive: true,
      sections: [
        { key: "a", title: tx("a"), fields: [field("x", "included"), field("y", "withheld"), field("z", "withheld")] },
        { key: "b", title: tx("b"), fields: [field("w", "partial"), field("v", "included")] },
        { key: "c", title: tx("c"), fields: [] },
      ],
    };
    expect(outcomeCounts(p)).toEqual({ included: 2, partial: 1, withheld: 2, total: 5 });
  });

  it("names withheld paths by their labels", () => {
    expect(fieldLabel(DR, "diagnosis_name").ja).toBe("診断名");
    expect(fieldLabel(DR, "barriers.description")).toEqual({ ja: "支障 › 支障の内容", en: "Barriers › Description" });
    expect(fieldLabel(DR, "barriers[0].description").en).toBe("Barriers › Description");
    expect(fieldLabel(DR, "unknown").ja).toBe("unknown");
    expect(fieldLabel(null, "diagnosis_name").ja).toBe("diagnosis_name");
  });

  it("lists the log newest first", () => {
    const d = (id: string, created_at: string): Disclosure => ({
      id,
      case_id: "c",
      document_id: null,
      template: null,
      title: null,
      revision_seq: null,
      revision_sha256: null,
      recipient: null,
      consents: [],
      parts: null,
      withheld: [],
      file_sha256: null,
      kind: "export",
      format: "pdf",
      purpose: "person_copy",
      created_at,
    });
    const list = [d("1", "2026-01-01T10:00:00Z"), d("2", "2026-03-01T10:00:00Z"), d("3", "2026-02-01T10:00:00Z"), d("4", "2026-03-01T10:00:00Z")];
    expect(newestDisclosures(list).map((x) => x.id)).toEqual(["2", "4", "3", "1"]);
  });
});
