// Black-box audit of the SPEC §9 promises of @rappel/templating: everything is imported from the package root, as an
// integrator would, and checked against the spec (R-22…R-25) and the seeds ([000], [002]). Rules already pinned by
// the unit tests beside the code are not repeated here; these are the edges and the root/dist wiring.

import { fileURLToPath } from "node:url";
import { RappelError } from "@rappel/core";
import * as root from "@rappel/templating";
import { compileTemplate, type MacroContext, smsInfo, TemplateError, transliterateToGsm } from "@rappel/templating";
import { describe, expect, expectTypeOf, it } from "vitest";
import { distBuilt, expectDistNames, probeDist } from "../../../scripts/dist-probe.js";

const SPEC_NAMES = ["smsInfo", "transliterateToGsm", "compileTemplate", "TemplateError"] as const;

const info = (encoding: "GSM-7" | "UCS-2", units: number, segments: number, perSegment: number, remaining: number) => ({
  encoding,
  units,
  segments,
  perSegment,
  remaining,
});

describe("SPEC §9 names at the package root", () => {
  it("exports the promised functions and error class", () => {
    const exported = new Map(Object.entries(root));
    for (const name of SPEC_NAMES) expect(typeof exported.get(name), name).toBe("function");
    const e = new TemplateError("template-unknown-macro", "x", { index: 3, macro: "m", suggestion: "s" });
    expect(e).toBeInstanceOf(RappelError);
    expect(e).toBeInstanceOf(Error);
    expect({ code: e.code, index: e.index, macro: e.macro, suggestion: e.suggestion }).toEqual({
      code: "template-unknown-macro",
      index: 3,
      macro: "m",
      suggestion: "s",
    });
  });

  // The built dist, as an integrator's project loads it (ESM and CJS): the same answers as the sources.
  const pkgDir = fileURLToPath(new URL("..", import.meta.url));
  it.skipIf(!distBuilt(pkgDir))(
    "the built dist (pnpm build): ESM and CJS expose the sources' names and give the same answers",
    () => {
      const out = probeDist(
        pkgDir,
        "@rappel/templating",
        `(() => {
          let thrown;
          try { m.compileTemplate("{{client.fistName}}", { channel: "sms" }); } catch (e) { thrown = e instanceof m.TemplateError && e.suggestion; }
          return {
            info: m.smsInfo("${"ê".repeat(66)}😀"),
            translit: m.transliterateToGsm("l’hôpital"),
            render: m.compileTemplate("{{appointment.startDate}} à {{appointment.startTime}}", { channel: "sms" })
              .render({ appointment: { start: new Date("2026-06-09T10:00:00Z"), timeZone: "Europe/Paris" } }),
            thrown,
          };
        })()`,
      );
      expectDistNames(out, SPEC_NAMES);
      for (const kind of ["esm", "cjs"] as const) {
        expect(out[kind]).toMatchObject({
          info: info("UCS-2", 68, 1, 70, 2),
          translit: "l'hopital",
          render: "09/06/2026 à 12h00",
          thrown: "client.firstName",
        });
      }
    },
  );
});

describe("smsInfo (R-25): limits and segment boundaries", () => {
  it("returns exactly the five promised fields", () => {
    expect(Object.keys(smsInfo("x")).sort()).toEqual(["encoding", "perSegment", "remaining", "segments", "units"]);
  });

  it.each([
    ["GSM-7 two full parts (2 × 153)", "a".repeat(306), info("GSM-7", 306, 2, 153, 0)],
    ["GSM-7 one septet into a third part", "a".repeat(307), info("GSM-7", 307, 3, 153, 152)],
    ["UCS-2 two full parts (2 × 67)", "ê".repeat(134), info("UCS-2", 134, 2, 67, 0)],
    ["UCS-2 one unit into a third part", "ê".repeat(135), info("UCS-2", 135, 3, 67, 66)],
    // The escape septet is how an extension character is sent, not a character of its own: a raw ESC (U+001B) in
    // the text is outside GSM-7, as Twilio's calculator counts it.
    ["a raw ESC character is not GSM-7", "a\u001b", info("UCS-2", 2, 1, 70, 68)],
    ["every extension character counts two septets", "\f^{}\\[~]|€", info("GSM-7", 20, 1, 160, 140)],
    ["80 extension characters fill one part; 81 do not", "€".repeat(81), info("GSM-7", 162, 2, 153, 143)],
    // The escape pair may not be split at the end of the second part either: it opens the third.
    ["an extension character at the end of part 2 moves whole", `${"a".repeat(305)}€`, info("GSM-7", 307, 3, 153, 151)],
    // In UCS-2 an extension character is one code unit like any other.
    ["extension characters in a UCS-2 text are one unit", `ê${"€".repeat(69)}`, info("UCS-2", 70, 1, 70, 0)],
    // A surrogate pair never straddles the end of part 2: 67 + 66 units, the pair opens part 3.
    ["a surrogate pair at the end of part 2 moves whole", `${"ê".repeat(133)}😀`, info("UCS-2", 135, 3, 67, 65)],
    ["a pair is two units: 35 emoji fill one part", "😀".repeat(35), info("UCS-2", 70, 1, 70, 0)],
    ["36 emoji need two parts of 67 (33 + 3 pairs)", "😀".repeat(36), info("UCS-2", 72, 2, 67, 61)],
  ])("%s", (_what, text, expected) => {
    expect(smsInfo(text)).toEqual(expected);
  });

  it("a non-string is a RappelError, not a crash", () => {
    expect(() => smsInfo(undefined as unknown as string)).toThrow(
      expect.objectContaining({ name: expect.any(String), code: "invalid-input" }),
    );
  });
});

describe("transliterateToGsm (R-18)", () => {
  it("turns every French letter and typographic mark into GSM-7, so a French SMS keeps 160 characters", () => {
    const french = "àâæçéèêëîïôœùûüÿÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸ’‘“”«»…–—\u00a0\u202f";
    for (const ch of french) {
      const out = transliterateToGsm(ch);
      expect(smsInfo(out).encoding, `${ch} → ${JSON.stringify(out)}`).toBe("GSM-7");
    }
    const sms = `Cabinet du Parc, vous rappelle votre rendez-vous le 09/06/2026 à 12h00. L’accès « côté cour » : 1ᵉʳ étage`;
    expect(smsInfo(sms).encoding).toBe("UCS-2");
    const out = transliterateToGsm(sms.replace("1ᵉʳ", "1er"));
    expect(out).toBe(
      'Cabinet du Parc, vous rappelle votre rendez-vous le 09/06/2026 à 12h00. L\'accès "coté cour" : 1er étage',
    );
    expect(smsInfo(out)).toMatchObject({ encoding: "GSM-7", segments: 1, perSegment: 160 });
  });

  it("the empty string stays empty; a non-string is a RappelError", () => {
    expect(transliterateToGsm("")).toBe("");
    expect(() => transliterateToGsm(42 as unknown as string)).toThrow(RappelError);
  });
});

describe("compileTemplate and render (R-22…R-24, SPEC §9 MacroContext)", () => {
  const start = new Date("2026-06-09T10:00:00Z"); // 12:00 in Paris, the seed 003 appointment
  const end = new Date("2026-06-09T10:30:00Z");
  const ctx: MacroContext = {
    account: { name: "Cabinet du Parc" },
    client: { firstName: "Camille", lastName: "Martin" },
    appointment: { start, end, timeZone: "Europe/Paris" },
  };
  const all = "{{appointment.startDate}} {{appointment.startTime}}-{{appointment.endTime}} {{appointment.endDate}}";

  it("types: the compiled template and MacroContext are exactly SPEC §9's (checked by pnpm typecheck)", () => {
    expectTypeOf(compileTemplate).returns.toEqualTypeOf<{
      readonly macros: string[];
      render(context: MacroContext, options?: { locale?: string; timeZone?: string }): string;
    }>();
    // Nested like the canonical names of R-22; the appointment carries instants, not strings.
    type Keys<K extends keyof MacroContext> = keyof NonNullable<MacroContext[K]>;
    expectTypeOf<keyof MacroContext>().toEqualTypeOf<
      | "client"
      | "appointment"
      | "practitioner"
      | "clinic"
      | "location"
      | "room"
      | "service"
      | "recipient"
      | "message"
      | "account"
    >();
    expectTypeOf<Keys<"client">>().toEqualTypeOf<"firstName" | "lastName" | "name">();
    expectTypeOf<Keys<"appointment">>().toEqualTypeOf<"start" | "end" | "timeZone" | "action" | "billedAmount">();
    expectTypeOf<NonNullable<MacroContext["appointment"]>["end"]>().toEqualTypeOf<Date | undefined>();
    expectTypeOf<Keys<"practitioner">>().toEqualTypeOf<"name" | "email">();
    expectTypeOf<Keys<"location">>().toEqualTypeOf<"name" | "address" | "city" | "region" | "regionCode" | "country">();
    expectTypeOf<Keys<"service">>().toEqualTypeOf<"name" | "instructions">();
    expectTypeOf<Keys<"message">>().toEqualTypeOf<"subject" | "contact">();
    for (const k of ["clinic", "room", "recipient", "account"] as const) {
      expectTypeOf<Keys<typeof k>>().toEqualTypeOf<"name">();
    }
  });

  it("returns exactly { macros, render } (SPEC §9 fixes the shape: no other field)", () => {
    for (const channel of ["sms", "email-html", "email-text", "subject"] as const) {
      const t = compileTemplate("Bonjour {{client.firstName}}", { channel });
      expect(Object.keys(t).sort()).toEqual(["macros", "render"]);
      expect(t).toEqual({ macros: ["client.firstName"], render: expect.any(Function) });
      expect(JSON.parse(JSON.stringify(t))).toEqual({ macros: ["client.firstName"] });
    }
  });

  it("the seed 000 default reminder SMS renders in French and fits one GSM-7 part with a supplement", () => {
    const t = compileTemplate(
      "{{account.name}}, vous rappelle votre rendez-vous le {{appointment.startDate}} à {{appointment.startTime}}",
      { channel: "sms" },
    );
    const text = t.render(ctx);
    expect(text).toBe("Cabinet du Parc, vous rappelle votre rendez-vous le 09/06/2026 à 12h00");
    expect(smsInfo(`${text} Merci de prévenir 24 h avant en cas d'absence.`)).toMatchObject({
      encoding: "GSM-7",
      segments: 1,
    });
  });

  it("derives dates, times and duration from the instants: zone = appointment.timeZone, locale fr-FR", () => {
    const t = compileTemplate(`${all} {{appointment.duration}}`, { channel: "sms" });
    expect(t.render(ctx)).toBe("09/06/2026 12h00-12h30 09/06/2026 30 min");
  });

  it("render options override the zone and the locale (English: 06/09/2026, 12:00 PM)", () => {
    const t = compileTemplate(all, { channel: "email-text" });
    expect(t.render(ctx, { locale: "en-US" })).toBe("06/09/2026 12:00 PM-12:30 PM 06/09/2026");
    expect(t.render(ctx, { timeZone: "America/New_York" })).toBe("09/06/2026 06h00-06h30 09/06/2026");
    expect(t.render(ctx, { locale: "en-US", timeZone: "Pacific/Auckland" })).toBe(
      "06/09/2026 10:00 PM-10:30 PM 06/09/2026",
    );
  });

  it("without any zone the render is in UTC", () => {
    const t = compileTemplate(all, { channel: "sms" });
    expect(t.render({ appointment: { start, end } })).toBe("09/06/2026 10h00-10h30 09/06/2026");
    expect(t.render({ appointment: { start, end, timeZone: "" } })).toBe("09/06/2026 10h00-10h30 09/06/2026");
  });

  it("Paris 2026 DST: both 02:30s of the autumn overlap, and the hour after the spring gap", () => {
    const t = compileTemplate("{{appointment.startDate}} {{appointment.startTime}}", { channel: "sms" });
    const at = (iso: string) => t.render({ appointment: { start: new Date(iso), timeZone: "Europe/Paris" } });
    expect(at("2026-10-25T00:30:00Z")).toBe("25/10/2026 02h30"); // CEST
    expect(at("2026-10-25T01:30:00Z")).toBe("25/10/2026 02h30"); // CET
    expect(at("2026-03-29T00:59:59Z")).toBe("29/03/2026 01h59");
    expect(at("2026-03-29T01:00:00Z")).toBe("29/03/2026 03h00");
  });

  it("an end date on the next local day, and midnight in English", () => {
    const t = compileTemplate(all, { channel: "sms" });
    const late = { start: new Date("2026-06-09T21:30:00Z"), end: new Date("2026-06-09T22:15:00Z") };
    expect(t.render({ appointment: { ...late, timeZone: "Europe/Paris" } })).toBe("09/06/2026 23h30-00h15 10/06/2026");
    expect(t.render({ appointment: { ...late, timeZone: "Europe/Paris" } }, { locale: "en-US" })).toBe(
      "06/09/2026 11:30 PM-12:15 AM 06/10/2026",
    );
  });

  it("macros: canonical names in order of first use, across mustache, Owl, French and bracket syntaxes", () => {
    const t = compileTemplate(
      "[contact] _APT-START-TIME_ {{client.firstName}} _PRÉNOM-CLIENT_ [sujet] _DATE DE DÉBUT D'APT_ {{message.contact}}",
      { channel: "subject" },
    );
    expect(t.macros).toEqual([
      "message.contact",
      "appointment.startTime",
      "client.firstName",
      "message.subject",
      "appointment.startDate",
    ]);
    expect(compileTemplate("Bonjour", { channel: "sms" }).macros).toEqual([]);
    expect(compileTemplate("", { channel: "sms" }).render({})).toBe("");
  });

  it.each([
    ["{{client}}", 0, "client"],
    ["RDV {{appointment.start}}", 4, "appointment.start"],
    ["Le {{ appointment.startDat }}", 3, "appointment.startDat"],
    ["x{{#client.fistName}}y{{/client.fistName}}", 1, "client.fistName"],
    ["Bonjour _PRENOM-CLIENT_", 8, "_PRENOM-CLIENT_"],
  ])("only the documented context is reachable: %s is an unknown macro at its index", (source, index, macro) => {
    let error: unknown;
    try {
      compileTemplate(source, { channel: "sms" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({ code: "template-unknown-macro", index, macro });
  });

  it("the suggestion is the closest known name", () => {
    expect(() => compileTemplate("{{appointment.startDat}}", { channel: "sms" })).toThrow(
      expect.objectContaining({ suggestion: "appointment.startDate" }),
    );
    expect(() => compileTemplate("_NOM DU SERVCE_", { channel: "sms" })).toThrow(
      expect.objectContaining({ suggestion: "_NOM DU SERVICE_" }),
    );
  });

  it("HTML email escapes the data of every syntax (aliases and bracket variables too)", () => {
    const t = compileTemplate("<p>[contact] · _PRÉNOM-CLIENT_ · [sujet]</p>", { channel: "email-html" });
    expect(t.render({ client: { firstName: "<b>Jo</b>" }, message: { contact: "A & B", subject: `"x" 'y'` } })).toBe(
      "<p>A &amp; B · &lt;b&gt;Jo&lt;/b&gt; · &quot;x&quot; &#39;y&#39;</p>",
    );
  });
});
