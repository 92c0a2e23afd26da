import { getCharCount } from "@trt2/gsm-charset-utils";
import fc from "fast-check";
import GraphemeSplitter from "grapheme-splitter";
import { SegmentedMessage } from "sms-segments-calculator";
import { describe, expect, it } from "vitest";
import { COMPLEX, charTable, GSM_BASIC, GSM_EXTENSION, isSimpleAstral, UCS_SIMPLE } from "./charTable.js";
import { type SmsInfo, smsInfo } from "./smsInfo.js";

/** Twilio's calculator, read into the shape of smsInfo. */
function oracle(text: string): SmsInfo {
  const m = new SegmentedMessage(text);
  const bits = m.encodingName === "GSM-7" ? 7 : 16;
  const last = m.segments[m.segments.length - 1]!;
  const segments = m.segmentsCount;
  const perSegment = m.encodingName === "GSM-7" ? (segments === 1 ? 160 : 153) : segments === 1 ? 70 : 67;
  return {
    encoding: m.encodingName,
    units: m.messageSize / bits,
    segments,
    perSegment,
    remaining: Math.max(0, Math.floor(last.freeSizeInBits() / bits)),
  };
}

const GSM_BASIC_CHARS =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const EXT = "\f^{}\\[~]|€";

describe("smsInfo: fixed cases", () => {
  it.each([
    ["", { encoding: "GSM-7", units: 0, segments: 1, perSegment: 160, remaining: 160 }],
    ["a".repeat(160), { encoding: "GSM-7", units: 160, segments: 1, perSegment: 160, remaining: 0 }],
    ["a".repeat(161), { encoding: "GSM-7", units: 161, segments: 2, perSegment: 153, remaining: 145 }],
    ["€".repeat(80), { encoding: "GSM-7", units: 160, segments: 1, perSegment: 160, remaining: 0 }],
    // 152 septets + an extension character: the escape pair is not split, it moves whole to part 2.
    [
      `${"a".repeat(152)}€${"a".repeat(7)}`,
      { encoding: "GSM-7", units: 161, segments: 2, perSegment: 153, remaining: 144 },
    ],
    [
      `${"a".repeat(152)}€${"a".repeat(8)}`,
      { encoding: "GSM-7", units: 162, segments: 2, perSegment: 153, remaining: 143 },
    ],
    ["é".repeat(70), { encoding: "GSM-7", units: 70, segments: 1, perSegment: 160, remaining: 90 }],
    ["ê".repeat(70), { encoding: "UCS-2", units: 70, segments: 1, perSegment: 70, remaining: 0 }],
    ["ê".repeat(71), { encoding: "UCS-2", units: 71, segments: 2, perSegment: 67, remaining: 63 }],
    // A surrogate pair at the boundary of part 1 moves whole to part 2.
    [`${"ê".repeat(66)}😀`, { encoding: "UCS-2", units: 68, segments: 1, perSegment: 70, remaining: 2 }],
    [
      `${"ê".repeat(66)}😀${"ê".repeat(3)}`,
      { encoding: "UCS-2", units: 71, segments: 2, perSegment: 67, remaining: 62 },
    ],
    [
      "Bonjour, RDV le 09/06/2026 à 12h00",
      { encoding: "GSM-7", units: 34, segments: 1, perSegment: 160, remaining: 126 },
    ],
    ["Rappel : RDV demain ✅", { encoding: "UCS-2", units: 21, segments: 1, perSegment: 70, remaining: 49 }],
    // Decomposed é (e + U+0301) is one grapheme of two units: UCS-2, as Twilio counts it.
    ["e\u0301", { encoding: "UCS-2", units: 2, segments: 1, perSegment: 70, remaining: 68 }],
    ["\r\n", { encoding: "GSM-7", units: 2, segments: 1, perSegment: 160, remaining: 158 }],
    ["`", { encoding: "UCS-2", units: 1, segments: 1, perSegment: 70, remaining: 69 }],
  ] as const)("%j", (text, expected) => {
    expect(smsInfo(text)).toEqual(expected);
    expect(oracle(text)).toEqual(expected);
  });

  it("never splits a flag: Twilio moves it whole where gsm-charset-utils splits the pair of pairs", () => {
    // 66 units + a flag (4 units) = 70 fits one part; 65 + flag + 2 = 71 needs two parts of which the first
    // holds 65 units and the second the flag and the rest.
    const text = `${"ê".repeat(65)}🇫🇷ab`;
    expect(smsInfo(text)).toEqual(oracle(text));
    expect(smsInfo(text).segments).toBe(2);
    const flags = `${"ê".repeat(65)}${"🇫🇷".repeat(17)}`; // 133 units
    expect(smsInfo(flags)).toEqual(oracle(flags));
    expect(smsInfo(flags).segments).toBe(3); // grapheme packing: 65 | 16 flags (64) | 1 flag
    expect(getCharCount(flags).msgCount).toBe(2); // gsm-charset-utils: 67 + 66 units, a flag cut in half
  });
});

describe("character table", () => {
  it("GSM-7 classes equal gsm-charset-utils' alphabet and Twilio's table", () => {
    const t = charTable();
    const basic: string[] = [];
    const ext: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      if (t[c] === GSM_BASIC) basic.push(String.fromCharCode(c));
      if (t[c] === GSM_EXTENSION) ext.push(String.fromCharCode(c));
    }
    expect(basic.sort().join("")).toBe([...GSM_BASIC_CHARS].sort().join(""));
    expect(ext.sort().join("")).toBe([...EXT].sort().join(""));
    for (const ch of [...GSM_BASIC_CHARS, ...EXT]) expect(oracle(ch).encoding).toBe("GSM-7");
  });

  it("a code unit classed simple is always a grapheme of its own (checked on all 65,536)", () => {
    const t = charTable();
    const splitter = new GraphemeSplitter();
    let checked = 0;
    for (let c = 0; c < 0x10000; c++) {
      if (t[c] === COMPLEX) continue;
      const s = String.fromCharCode(c);
      // Between two simple units grapheme-splitter always breaks (CR LF is split again by Twilio).
      if (c !== 0x0d) {
        expect(splitter.countGraphemes(`x${s}x`)).toBe(3);
        expect(splitter.countGraphemes(`${s}${s}`)).toBe(2);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(45_000);
    expect(t[0x00ea]).toBe(UCS_SIMPLE);
  }, 60_000);
});

describe("astral characters", () => {
  it("an astral code point classed stand-alone is always a grapheme of its own (planes 1 and 14, all of them)", () => {
    const splitter = new GraphemeSplitter();
    let checked = 0;
    for (const [from, to] of [
      [0x10000, 0x20000],
      [0xe0000, 0xe1000],
      [0x20000, 0x20400],
    ] as const) {
      for (let cp = from; cp < to; cp++) {
        if (!isSimpleAstral(cp)) continue;
        const s = String.fromCodePoint(cp);
        expect(splitter.countGraphemes(`x${s}x`)).toBe(3);
        expect(splitter.countGraphemes(`${s}${s}`)).toBe(2);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20_000);
    expect(isSimpleAstral(0x1f600)).toBe(true); // 😀
    expect(isSimpleAstral(0x1f1eb)).toBe(false); // regional indicator F
    expect(isSimpleAstral(0x1f3fd)).toBe(false); // skin tone
  }, 60_000);
});

const FRAGMENTS = [
  ...EXT,
  "ê",
  "â",
  "î",
  "ô",
  "û",
  "ë",
  "ï",
  "ç",
  "œ",
  "’",
  "«",
  "»",
  "…",
  "–",
  "\u00a0",
  "\u202f",
  "`",
  "😀",
  "📅",
  "🏥",
  "👍",
  "👍🏽",
  "👨‍👩‍👧",
  "🧑‍🎄",
  "❤️",
  "🇫🇷",
  "🇨🇭",
  "1️⃣",
  "e\u0301",
  "a\u0308\u0323",
  "\u0301",
  "\u200d",
  "\ud83d",
  "\ude00",
  "\r\n",
  "\r",
  "\n",
  "한",
  "\u1100\u1161\u11a8",
  "ำ",
  "\u0600١",
  "𝄞",
  "\ufe0f",
];

const gsmChar = fc.constantFrom(...GSM_BASIC_CHARS);
const fragment = fc.oneof(
  { weight: 6, arbitrary: gsmChar },
  { weight: 3, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
);
/** A GSM padding whose length lands the fragments near a part boundary. */
const pad = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.integer({ min: 55, max: 72 }),
  fc.integer({ min: 140, max: 162 }),
);
const text = fc.tuple(pad, fc.array(fragment, { maxLength: 24 }), fc.nat(), gsmChar).map(([n, frags, at, ch]) => {
  const base = ch.repeat(n);
  const cut = n === 0 ? 0 : at % (n + 1);
  return base.slice(0, cut) + frags.join("") + base.slice(cut);
});

describe("smsInfo agrees with Twilio's segment calculator", () => {
  it("on generated texts (GSM padding near part boundaries, extension chars, emoji, flags, ZWJ, marks, lone surrogates)", () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(smsInfo(s)).toEqual(oracle(s));
      }),
      { numRuns: 15_000 },
    );
  }, 120_000);

  it("on arbitrary Unicode strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 90 }), (s) => {
        expect(smsInfo(s)).toEqual(oracle(s));
      }),
      { numRuns: 15_000 },
    );
  }, 60_000);

  it("on pure GSM texts around two and three parts", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(gsmChar, fc.constantFrom(...EXT)), { minLength: 140, maxLength: 480 }), (a) => {
        const s = a.join("");
        expect(smsInfo(s)).toEqual(oracle(s));
      }),
      { numRuns: 2_000 },
    );
  }, 60_000);
});
