// The mock backend answers from Rust's fixtures (src/generated/fixtures): these run a few of its
// commands and check that what comes back is what Rust wrote, not something the mock made up.
import { beforeAll, describe, expect, it } from "vitest";
import type { CasesPage } from "../src/bindings/CasesPage";
import type { Check } from "../src/bindings/Check";
import type { ConsentRow } from "../src/bindings/ConsentRow";
import type { DisclosurePreview } from "../src/bindings/DisclosurePreview";
import type { Editing } from "../src/bindings/Editing";
import type { ExportPreview } from "../src/bindings/ExportPreview";
import type { IpcError } from "../src/bindings/IpcError";
import type { RouteDiagram } from "../src/bindings/RouteDiagram";
import type { TemplateInfo } from "../src/bindings/TemplateInfo";

type Handle = (cmd: string, args: Record<string, unknown>) => Promise<unknown>;
let handle: Handle;

const fixtures = import.meta.glob("../src/generated/fixtures/samples.json", { eager: true, import: "default" });
type Sample = { name: string; id: string; check: { draft: Check; final: Check }; previews: Record<string, ExportPreview> };
const SAMPLES = (Object.values(fixtures)[0] as { documents: Sample[] }).documents;
const sample = (name: string): Sample => SAMPLES.find((s) => s.name === name)!;

beforeAll(async () => {
  // The mock reads the page's query (here: start unlocked).
  (globalThis as unknown as { location: { search: string } }).location = { search: "?unlocked" };
  handle = (await import("../src/mock/backend")).handle;
});

async function rejection(p: Promise<unknown>): Promise<IpcError> {
  try {
    await p;
  } catch (e) {
    return e as IpcError;
  }
  throw new Error("resolved");
}

const request = (id: string, recipient: string | null = null) => ({ id, lang: "ja", era: "seireki", parts: null, recipient, own_use: "person_copy" });

describe("the mock backend", () => {
  it("lists the forms and a case per sample", async () => {
    const forms = (await handle("templates_list", {})) as TemplateInfo[];
    expect(forms.map((t) => t.id).sort()).toEqual(["dialogue-record", "route-map", "work-consideration"]);
    const page = (await handle("cases_list", { filter: { text: "", status: null, template: null, review_within_days: null }, limit: 100 })) as CasesPage;
    expect(page.cases.length).toBeGreaterThanOrEqual(SAMPLES.length);
  });

  it("opens a sample with Rust's check, and previews it as Rust did", async () => {
    const dr = sample("dialogue-record");
    const e = (await handle("document_open", { id: dr.id })) as Editing;
    expect(e.check).toEqual(dr.check.draft);
    const final = (await handle("document_check", { record: e.record, final: true })) as Check;
    expect(final).toEqual(dr.check.final);
    const p = (await handle("export_preview", { request: request(dr.id) })) as ExportPreview;
    expect(p).toEqual(dr.previews["ja-seireki"]);
  });

  it("gives a recipient what Rust planned, and refuses as Rust did", async () => {
    const dr = sample("dialogue-record");
    const rows = (await handle("consents_list", { document_id: dr.id })) as ConsentRow[];
    const valid = rows.find((r) => r.state.state === "valid")!;
    const p = (await handle("export_recipient_preview", { request: request(dr.id, valid.consent.recipient) })) as DisclosurePreview;
    expect(p.sections.length).toBeGreaterThan(0);
    const expired = rows.find((r) => r.state.state === "expired")!;
    const e = await rejection(handle("export_recipient_preview", { request: request(dr.id, expired.consent.recipient) }));
    expect(e.code).toBe("consent.refused");
  });

  it("answers consent_add with Rust's error for the field left blank", async () => {
    const dr = sample("dialogue-record");
    const consent = { recipient: " ", role: null, purpose: "p", sections: null, whole_document: true, method: "signature", recorded_by: null, given_on: "2026-01-05", expires_on: null };
    const e = await rejection(handle("consent_add", { document_id: dr.id, consent }));
    expect(e.code).toBe("consent.bad_field");
    expect(e.field).toBe("recipient");
    expect(e.field_message?.en).toBeTruthy();
  });

  it("starts a map from a standard route and draws Rust's diagram of it", async () => {
    const cases = (await handle("cases_list", { filter: { text: "", status: "open", template: null, review_within_days: null }, limit: 100 })) as CasesPage;
    const e = (await handle("document_create", { case_id: cases.cases[0]!.id, template: "route-map", route: "R1", region: null })) as Editing;
    expect(Array.isArray(e.record.fields.nodes)).toBe(true);
    const d = (await handle("routemap_diagram", { record: e.record, title: "R1" })) as RouteDiagram;
    expect(d.svg).toContain("<svg");
  });
});
