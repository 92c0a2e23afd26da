import { existsSync, readFileSync } from "node:fs";
import { ErrorCode, RappelError } from "@rappel/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MacroContext } from "../context.js";
import { TemplateError } from "../errors.js";
import { MACRO_NAMES, MACROS } from "../macros/catalogue.js";
import { compileTemplate, type TemplateChannel, templateCacheSize } from "./compileTemplate.js";

/** The 22 French macros of seed 002, exactly as written there. */
const SEED_002_FRENCH = [
  "_NOM_DU_BÉNÉFICIAIRE_",
  "_APT-END-DATE_",
  "_APT-END-TIME_",
  "_DATE DE DÉBUT D'APT_",
  "_APT-START-TIME_",
  "_NOM-DU-CLIENT_",
  "_NOM DE LA CLINIQUE_",
  "_COURRIEL DU THÉRAPEUTE_",
  "_NOM DU THÉRAPEUTE_",
  "_FUSEAU HORAIRE_",
  "_ACTION_",
  "_MONTANT FACTURÉ_",
  "_PRÉNOM-CLIENT_",
  "_DURÉE_",
  "_ADRESSE-LIEU_",
  "_LOCALISATION-CODE-RÉGIONAL_",
  "_LIEU-VILLE_",
  "_LIEU-PAYS_",
  "_NOM-DE-LIEU_",
  "_LOCALISATION-RÉGION_",
  "_NOM DE LA SALLE_",
  "_NOM DU SERVICE_",
];

const ctx: MacroContext = {
  client: { firstName: "Camille", lastName: "Martin" },
  appointment: {
    start: new Date("2026-06-09T10:00:00Z"),
    end: new Date("2026-06-09T11:30:00Z"),
    timeZone: "Europe/Paris",
    action: "moved",
    billedAmount: { amount: 1250, currency: "EUR" },
  },
  practitioner: { name: "Dr Claire Dubois", email: "c.dubois@cabinet.example" },
  clinic: { name: "Cabinet du Parc" },
  location: {
    name: "Site Bellecour",
    address: "12 rue des Lilas",
    city: "Lyon",
    region: "Auvergne-Rhône-Alpes",
    regionCode: "ARA",
    country: "France",
  },
  room: { name: "Salle 2" },
  service: { name: "Ostéopathie", instructions: "Venir 10 min avant." },
  recipient: { name: "Jean Martin" },
  message: { subject: "Demande de rappel", contact: "Paul Durand" },
  account: { name: "Dr Dubois" },
};

/** What each canonical macro renders for `ctx` (fr-FR, Europe/Paris). */
const EXPECTED: Record<string, string> = {
  "client.firstName": "Camille",
  "client.lastName": "Martin",
  "client.name": "Camille Martin",
  "appointment.startDate": "09/06/2026",
  "appointment.startTime": "12h00",
  "appointment.endDate": "09/06/2026",
  "appointment.endTime": "13h30",
  "appointment.duration": "1 h 30",
  "appointment.timeZone": "Europe/Paris",
  "appointment.action": "déplacé",
  "appointment.billedAmount": "12,50 €",
  "practitioner.name": "Dr Claire Dubois",
  "practitioner.email": "c.dubois@cabinet.example",
  "clinic.name": "Cabinet du Parc",
  "location.name": "Site Bellecour",
  "location.address": "12 rue des Lilas",
  "location.city": "Lyon",
  "location.region": "Auvergne-Rhône-Alpes",
  "location.regionCode": "ARA",
  "location.country": "France",
  "room.name": "Salle 2",
  "service.name": "Ostéopathie",
  "service.instructions": "Venir 10 min avant.",
  "recipient.name": "Jean Martin",
  "message.subject": "Demande de rappel",
  "message.contact": "Paul Durand",
  "account.name": "Dr Dubois",
};

function catchError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    expect(e).toBeInstanceOf(RappelError);
    return e as TemplateError;
  }
  throw new Error("expected a TemplateError");
}

describe("catalogue and aliases", () => {
  it("holds the 22 French forms of seed 002 exactly, each once", () => {
    const french = MACROS.flatMap((m) => m.french);
    expect(french.sort()).toEqual([...SEED_002_FRENCH].sort());
  });

  it.skipIf(!existsSync("/work/shared/seeds/002_382490e4fb002995.txt"))("matches the seed file's bullet list", () => {
    const seed = readFileSync("/work/shared/seeds/002_382490e4fb002995.txt", "utf8");
    const bullets = [...seed.matchAll(/^\s*•\s*(_.+_)\s*$/gmu)].map((m) => m[1]);
    expect(bullets).toEqual(SEED_002_FRENCH);
  });

  it("has a canonical macro for every datum of R-22, each with description, example and max length", () => {
    expect(MACRO_NAMES).toHaveLength(27);
    for (const m of MACROS) {
      expect(m.description.length).toBeGreaterThan(5);
      expect(m.example.length).toBeLessThanOrEqual(m.maxLength);
      expect(EXPECTED[m.name]).toBeDefined();
    }
  });

  it.each(SEED_002_FRENCH)("French alias %s renders its datum", (alias) => {
    const def = MACROS.find((m) => m.french.includes(alias))!;
    const t = compileTemplate(`<${alias}>`, { channel: "sms" });
    expect(t.macros).toEqual([def.name]);
    expect(t.render(ctx)).toBe(`<${EXPECTED[def.name]}>`);
  });

  const owl = MACROS.flatMap((m) => m.owl.map((a) => [a, m.name] as const));
  it.each(owl)("Owl alias %s renders %s", (alias, name) => {
    const t = compileTemplate(`x ${alias} y`, { channel: "email-text" });
    expect(t.macros).toEqual([name]);
    expect(t.render(ctx)).toBe(`x ${EXPECTED[name]} y`);
  });

  it.each(MACRO_NAMES)("mustache {{%s}}", (name) => {
    const t = compileTemplate(`{{${name}}}|{{ ${name} }}`, { channel: "sms" });
    expect(t.render(ctx)).toBe(`${EXPECTED[name]}|${EXPECTED[name]}`);
  });

  it("renders the bracket variables [contact] and [sujet] of seed 000", () => {
    const t = compileTemplate("Message de [contact] : [sujet]", { channel: "subject" });
    expect(t.macros).toEqual(["message.contact", "message.subject"]);
    expect(t.render(ctx)).toBe("Message de Paul Durand : Demande de rappel");
    // Other bracketed words are plain text.
    expect(compileTemplate("[URGENT] [contact]", { channel: "sms" }).render(ctx)).toBe("[URGENT] Paul Durand");
  });

  it("accepts an alias inside mustache braces, and _NOM_DU_BÉNÉFICIAIRE_ with inner underscores", () => {
    expect(compileTemplate("{{_PRÉNOM-CLIENT_}}", { channel: "sms" }).render(ctx)).toBe("Camille");
    expect(compileTemplate("_NOM_DU_BÉNÉFICIAIRE__DURÉE_", { channel: "sms" }).render(ctx)).toBe("Jean Martin1 h 30");
  });

  it("reports macros in order of first use", () => {
    const t = compileTemplate("{{client.name}} _DURÉE_ {{client.name}} [sujet] {{#room.name}}{{/room.name}}", {
      channel: "sms",
    });
    expect(t.macros).toEqual(["client.name", "appointment.duration", "message.subject", "room.name"]);
  });

  it("leaves ordinary underscores and lower-case words alone", () => {
    const src = "mon_fichier_test, ID_ABC_DEF, MY_ACTION_ITEM, X_DURÉE_, __init__, _a_ et 5_000_";
    expect(compileTemplate(src, { channel: "sms" }).render(ctx)).toBe(src);
  });
});

describe("errors: position, macro, suggestion", () => {
  it("unknown mustache macro", () => {
    const e = catchError(() => compileTemplate("Bonjour {{client.fristName}} !", { channel: "sms" }));
    expect([e.code, e.index, e.macro, e.suggestion]).toEqual([
      ErrorCode.TEMPLATE_UNKNOWN_MACRO,
      8,
      "client.fristName",
      "client.firstName",
    ]);
    expect(e.details).toMatchObject({ index: 8, macro: "client.fristName", suggestion: "client.firstName" });
  });

  it("unknown Owl-style macro (French without accent, typo)", () => {
    const e = catchError(() => compileTemplate("Bonjour _PRENOM-CLIENT_,", { channel: "sms" }));
    expect([e.code, e.index, e.macro, e.suggestion]).toEqual([
      ErrorCode.TEMPLATE_UNKNOWN_MACRO,
      8,
      "_PRENOM-CLIENT_",
      "_PRÉNOM-CLIENT_",
    ]);
    const e2 = catchError(() => compileTemplate("RDV _NOM DU SERVIC_", { channel: "sms" }));
    expect([e2.index, e2.suggestion]).toEqual([4, "_NOM DU SERVICE_"]);
  });

  it("no suggestion when nothing is close", () => {
    const e = catchError(() => compileTemplate("{{zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz}}", { channel: "sms" }));
    expect(e.code).toBe(ErrorCode.TEMPLATE_UNKNOWN_MACRO);
    expect(e.suggestion).toBeUndefined();
  });

  it.each([
    ["ab {{client.name", 3],
    ["ab {{{client.name}}", 3],
    ["{{#client.name}}x", 0],
    ["x{{/client.name}}", 1],
    ["{{#client.name}}{{/room.name}}", 16],
    ["{{}}", 0],
  ])("syntax error in %j at %i", (src, index) => {
    const e = catchError(() => compileTemplate(src, { channel: "email-text" }));
    expect(e.code).toBe(ErrorCode.TEMPLATE_SYNTAX);
    expect(e.index).toBe(index);
  });

  it.each([
    ["{{> footer}}", "sms"],
    ["{{>footer}}", "email-text"],
    ["{{=<% %>=}}", "sms"],
    ["{{{client.name}}}", "email-html"],
    ["{{& client.name}}", "email-html"],
    ["{{constructor}}", "sms"],
    ["{{__proto__}}", "email-text"],
    ["{{toString}}", "subject"],
    ["{{client.constructor}}", "sms"],
    ["{{#constructor}}x{{/constructor}}", "sms"],
    ["{{client.__proto__.polluted}}", "sms"],
  ] as [string, TemplateChannel][])("forbidden %j in %s", (src, channel) => {
    const e = catchError(() => compileTemplate(`ok ${src}`, { channel }));
    expect(e.code).toBe(ErrorCode.TEMPLATE_FORBIDDEN);
    expect(e.index).toBe(3);
  });

  it("unescaped output is allowed (and identical) outside HTML", () => {
    for (const channel of ["sms", "email-text", "subject"] as const) {
      expect(compileTemplate("{{{client.firstName}}}{{& client.firstName}}", { channel }).render(ctx)).toBe(
        "CamilleCamille",
      );
    }
  });

  it("a reminder must contain the start date and time (R-23)", () => {
    const e = catchError(() =>
      compileTemplate("Rappel : RDV le {{appointment.startDate}}", { channel: "sms", purpose: "reminder" }),
    );
    expect(e.code).toBe(ErrorCode.TEMPLATE_MISSING_MACRO);
    expect(e.macro).toBe("appointment.startTime");
    const e2 = catchError(() => compileTemplate("Rappel", { channel: "sms", purpose: "immediate-reminder" }));
    expect(e2.macro).toBe("appointment.startDate");
    expect(() =>
      compileTemplate("RDV le _DATE DE DÉBUT D'APT_ à _APT-START-TIME_", { channel: "sms", purpose: "reminder" }),
    ).not.toThrow();
    expect(() => compileTemplate("Merci", { channel: "sms", purpose: "survey" })).not.toThrow();
  });

  it("bad arguments are typed errors", () => {
    expect(() => compileTemplate("x", { channel: "fax" as TemplateChannel })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_INPUT }),
    );
    expect(() => compileTemplate(42 as unknown as string, { channel: "sms" })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_INPUT }),
    );
    const t = compileTemplate("{{client.name}}", { channel: "sms" });
    expect(() => t.render(null as unknown as MacroContext)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_INPUT }),
    );
    expect(() => t.render(ctx, { timeZone: "Mars/Olympus" })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_TIME_ZONE }),
    );
    expect(() => t.render(ctx, { locale: "not a locale!" })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_INPUT }),
    );
    const d = compileTemplate("{{appointment.startDate}}", { channel: "sms" });
    expect(() => d.render({ appointment: { start: new Date(Number.NaN) } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_DATE }),
    );
    expect(() => d.render({ appointment: { start: new Date(0), timeZone: "Nowhere/Land" } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_TIME_ZONE }),
    );
    const money = compileTemplate("{{appointment.billedAmount}}", { channel: "sms" });
    expect(() => money.render({ appointment: { billedAmount: { amount: 1.5, currency: "EUR" } } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_INPUT }),
    );
  });
});

describe("safe data access", () => {
  it("never calls functions found in the context and never invokes getters", () => {
    let called = 0;
    const fn = () => {
      called++;
      return "pwned";
    };
    const client = { firstName: fn, lastName: "Martin" } as unknown as MacroContext["client"];
    const getterObj = {} as { name?: string };
    Object.defineProperty(getterObj, "name", {
      enumerable: true,
      get() {
        called++;
        return "pwned";
      },
    });
    const t = compileTemplate(
      "[{{client.firstName}}][{{clinic.name}}][{{#client.firstName}}yes{{/client.firstName}}]",
      {
        channel: "sms",
      },
    );
    expect(t.render({ client, clinic: getterObj })).toBe("[][][]");
    expect(called).toBe(0);
  });

  it("never reads inherited (prototype) properties", () => {
    const proto = { client: { firstName: "Inherited" } };
    const context = Object.create(proto) as MacroContext;
    const client = Object.create({ firstName: "AlsoInherited" });
    expect(compileTemplate("[{{client.firstName}}]", { channel: "sms" }).render(context)).toBe("[]");
    expect(compileTemplate("[{{client.firstName}}]", { channel: "sms" }).render({ client })).toBe("[]");
  });

  it("renders missing data as empty, numbers as digits, objects as empty", () => {
    const t = compileTemplate("[{{client.firstName}}|{{room.name}}|{{clinic.name}}]", { channel: "sms" });
    expect(t.render({})).toBe("[||]");
    expect(
      t.render({ client: { firstName: 42 as unknown as string }, room: { name: { x: 1 } as unknown as string } }),
    ).toBe("[42||]");
  });
});

describe("sections", () => {
  it("shows a section when the value is not empty; inverted when it is", () => {
    const t = compileTemplate(
      "RDV{{#room.name}} en {{room.name}}{{/room.name}}{{^room.name}} (salle à confirmer){{/room.name}}.",
      { channel: "sms" },
    );
    expect(t.render(ctx)).toBe("RDV en Salle 2.");
    expect(t.render({})).toBe("RDV (salle à confirmer).");
  });

  it("nests and removes standalone tag lines (LF and CRLF)", () => {
    const src =
      "Bonjour,\n{{#service.instructions}}\n  {{#room.name}}\n  Salle : {{room.name}}\n  {{/room.name}}\nInfos : {{service.instructions}}\n{{/service.instructions}}\r\n{{! note }}\r\nFin";
    const t = compileTemplate(src, { channel: "email-text" });
    expect(t.render(ctx)).toBe("Bonjour,\n  Salle : Salle 2\nInfos : Venir 10 min avant.\nFin");
    expect(t.render({})).toBe("Bonjour,\nFin");
  });

  it("keeps a section tag that shares its line with text", () => {
    const t = compileTemplate("a {{#room.name}}b{{/room.name}} c\n", { channel: "sms" });
    expect(t.render(ctx)).toBe("a b c\n");
  });
});

describe("channels", () => {
  it("email-html escapes every value; sms and email-text do not", () => {
    const evil: MacroContext = { client: { firstName: `<script>"x"&'y'</script>` } };
    const src = "<p>{{client.firstName}}</p>";
    expect(compileTemplate(src, { channel: "email-html" }).render(evil)).toBe(
      "<p>&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;</p>",
    );
    expect(compileTemplate(src, { channel: "email-text" }).render(evil)).toBe(`<p><script>"x"&'y'</script></p>`);
    expect(compileTemplate(src, { channel: "sms" }).render(evil)).toBe(`<p><script>"x"&'y'</script></p>`);
  });

  it("subject: CR, LF, CRLF, NEL, LS and PS become one space, in values and in the template", () => {
    const t = compileTemplate("RDV\r\n{{client.firstName}}\n!", { channel: "subject" });
    expect(t.render({ client: { firstName: "A\r\nB\rC\nD\u2028E\u0085F" } })).toBe("RDV A B C D E F !");
  });

  it("property: no value ever produces an unescaped < in HTML", () => {
    const names = MACRO_NAMES.filter((n) => !n.startsWith("appointment."));
    const src = `<div>${names.map((n) => `<b>{{${n}}}</b>{{#${n}}}<i>x</i>{{/${n}}}`).join("")}</div>`;
    const t = compileTemplate(src, { channel: "email-html" });
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), fc.string({ maxLength: 10 }), (v, w) => {
        const value = `${v}<${w}`;
        const context: Record<string, Record<string, string>> = {};
        for (const n of names) {
          const [group, key] = n.split(".") as [string, string];
          context[group] ??= {};
          context[group][key] = value;
        }
        const out = t.render(context as MacroContext);
        const expectedLt = names.length * 4 + 2; // <b></b><i></i> per macro + <div></div>
        expect(out.split("<").length - 1).toBe(expectedLt);
        const escaped = value
          .replaceAll("&", "&amp;")
          .replaceAll("<", "&lt;")
          .replaceAll(">", "&gt;")
          .replaceAll('"', "&quot;")
          .replaceAll("'", "&#39;");
        expect(out).toBe(`<div>${names.map(() => `<b>${escaped}</b><i>x</i>`).join("")}</div>`);
      }),
      { numRuns: 3000 },
    );
  }, 60_000);

  it("property: a subject never contains CR or LF, whatever the data and template", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.constantFrom("", "\r", "\n", "\r\n", "\u2028"),
        (v, brk) => {
          const t = compileTemplate(`A${brk}{{message.subject}}${brk}[contact]`, { channel: "subject" });
          const out = t.render({ message: { subject: `${v}${brk}${v}`, contact: `x\r\n${v}` } });
          expect(out).not.toMatch(/[\r\n]/);
        },
      ),
      { numRuns: 3000 },
    );
  }, 60_000);
});

describe("cache", () => {
  it("returns the same compiled template for the same source and options, and stays bounded", () => {
    const a = compileTemplate("cache {{client.name}}", { channel: "sms" });
    expect(compileTemplate("cache {{client.name}}", { channel: "sms" })).toBe(a);
    expect(compileTemplate("cache {{client.name}}", { channel: "email-text" })).not.toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    for (let i = 0; i < 1500; i++) compileTemplate(`t${i} {{client.name}}`, { channel: "sms" });
    expect(templateCacheSize()).toBeLessThanOrEqual(1000);
  });
});

describe("macros list", () => {
  it("is a fresh array each time: a caller cannot alter the shared compiled template", () => {
    const t = compileTemplate("{{client.name}} {{room.name}}", { channel: "sms" });
    const m = t.macros;
    m.push("x");
    expect(t.macros).toEqual(["client.name", "room.name"]);
  });
});
