// smsInfo against its peers on a mixed French corpus, in the same run: gsm-charset-utils (the product card's
// library), split-sms, Twilio's segment calculator (the oracle, also checked for agreement) and a bare charCodeAt
// table loop (the ceiling). Writes bench/results/sms.{json,md}.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, totalmem } from "node:os";
import { smsInfo } from "../packages/templating/src/index.js";

const require = createRequire(new URL("../packages/templating/package.json", import.meta.url));
const gsmUtils = require("@trt2/gsm-charset-utils") as { getCharCount(t: string): { msgCount: number } };
const splitSms = require("split-sms") as { split(t: string): { parts: unknown[] } };
const { SegmentedMessage } = require("sms-segments-calculator") as {
  SegmentedMessage: new (
    t: string,
  ) => { encodingName: string; segmentsCount: number; messageSize: number; segments: { freeSizeInBits(): number }[] };
};

// ── corpus: deterministic mix of French appointment texts ─────────────────────────────────────────────────────
let seed = 0x5eed;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
const names = ["Dr Dubois", "Cabinet du Parc", "Mme Lefèvre", "Dr Müller", "Centre Médical Saint-Éloi", "M. Ñúñez"];
const gsmTails = [
  "Merci de prévenir 24 h avant en cas d'empêchement.",
  "Pensez à apporter votre carte Vitale et votre ordonnance.",
  "Adresse : 12 rue des Lilas, 69003 Lyon. Code porte 4512.",
  "Pour annuler, répondez STOP ou appelez le 04 78 00 00 00.",
  "",
];
const ucsTails = [
  "Merci de prévenir 24 h avant – en cas d’empêchement.",
  "L’équipe vous attend à l’accueil du 2ᵉ étage « Consultations ».",
  "Pensez à apporter votre carte Vitale… et votre ordonnance.",
  "Rendez-vous à l’hôpital, bâtiment Œ, côté forêt.",
];
const extTails = ["Tarif : 25 € [tiers payant possible].", "Code : {A1} ~ accès | parking", "Total 12,50 € ^_^"];
const emojiTails = ["À bientôt 😀", "📅 Ajoutez-le à votre agenda 👍", "Bonne journée ☀️", "Merci 🙏🏽"];
function text(): string {
  const d = `${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}/0${1 + Math.floor(rand() * 9)}/2026`;
  const h = `${String(8 + Math.floor(rand() * 11)).padStart(2, "0")}h${pick(["00", "15", "30", "45"])}`;
  const base = `${pick(names)}, vous rappelle votre rendez-vous le ${d} à ${h}`;
  const r = rand();
  const tails = r < 0.55 ? gsmTails : r < 0.9 ? ucsTails : r < 0.97 ? extTails : emojiTails;
  let s = `${base}. ${pick(tails)}`;
  const more = rand();
  if (more < 0.25) s += ` ${pick(tails)} ${pick(gsmTails)}`; // 2–3 parts
  if (more < 0.05) s += ` ${pick(gsmTails)} ${pick(gsmTails)} ${pick(gsmTails)}`;
  return s;
}
// Flat strings (a JSON round trip), as texts read from storage or the network are; every peer gets the same ones.
const corpus: string[] = JSON.parse(JSON.stringify(Array.from({ length: 4000 }, text)));
const corpusUnits = corpus.reduce((n, s) => n + s.length, 0);

// ── harness ───────────────────────────────────────────────────────────────────────────────────────────────────
function rate(fn: (s: string) => unknown, texts: readonly string[], ms = 150, samples = 7): number {
  const units = texts.reduce((n, s) => n + s.length, 0);
  let sink = 0;
  const once = () => {
    for (const s of texts) sink += fn(s) ? 1 : 0;
  };
  const t0 = performance.now();
  while (performance.now() - t0 < ms) once(); // warm-up
  const results: number[] = [];
  for (let k = 0; k < samples; k++) {
    let reps = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      once();
      reps++;
      now = performance.now();
    }
    results.push((reps * units) / ((now - start) / 1000));
  }
  if (sink < 0) console.log(sink);
  return results.sort((a, b) => a - b)[samples >> 1]!;
}

// A bare table scan: what a charCodeAt loop costs with nothing else (GSM septets, UCS-2 flag).
const TABLE = new Uint8Array(65536).fill(0x10);
for (const ch of "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
  TABLE[ch.charCodeAt(0)] = 1;
for (const ch of "\f^{}\\[~]|€") TABLE[ch.charCodeAt(0)] = 2;
const tableLoop = (s: string): number => {
  let acc = 0;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const c = TABLE[s.charCodeAt(i)]!;
    acc |= c;
    sum += c & 3;
  }
  return acc & 0x10 ? s.length : sum;
};

const oracle = (s: string) => {
  const m = new SegmentedMessage(s);
  const bits = m.encodingName === "GSM-7" ? 7 : 16;
  return {
    encoding: m.encodingName,
    units: m.messageSize / bits,
    segments: m.segmentsCount,
    remaining: Math.max(0, Math.floor(m.segments[m.segments.length - 1]!.freeSizeInBits() / bits)),
  };
};

// ── agreement with the oracle on the whole corpus ─────────────────────────────────────────────────────────────
let disagreements = 0;
let gsmUtilsSegmentDisagreements = 0;
for (const s of corpus) {
  const mine = smsInfo(s);
  const o = oracle(s);
  if (
    mine.encoding !== o.encoding ||
    mine.units !== o.units ||
    mine.segments !== o.segments ||
    mine.remaining !== o.remaining
  )
    disagreements++;
  if (gsmUtils.getCharCount(s).msgCount !== o.segments) gsmUtilsSegmentDisagreements++;
}

// ── throughput: peers interleaved round by round, so that load from other processes hits them alike ──────────
const peerDefs: { name: string; fn: (s: string) => unknown; texts: readonly string[]; note: string }[] = [
  {
    name: "charCodeAt table loop (ceiling)",
    fn: tableLoop,
    texts: corpus,
    note: "counts septets only: no segments, no clusters",
  },
  { name: "Rappel smsInfo", fn: smsInfo, texts: corpus, note: "exact, Twilio-identical" },
  {
    name: "@trt2/gsm-charset-utils",
    fn: (s) => gsmUtils.getCharCount(s),
    texts: corpus,
    note: "splits clusters at surrogate pairs",
  },
  { name: "split-sms", fn: (s) => splitSms.split(s), texts: corpus, note: "builds the parts" },
  {
    name: "sms-segments-calculator (Twilio)",
    fn: (s) => new SegmentedMessage(s),
    texts: corpus.slice(0, 100),
    note: "the oracle (100 texts)",
  },
];
const ROUNDS = 9;
const samples = new Map<string, number[]>(peerDefs.map((p) => [p.name, []]));
for (const p of peerDefs) rate(p.fn, p.texts, 100, 1); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const p of peerDefs) samples.get(p.name)!.push(rate(p.fn, p.texts, p.name.includes("Twilio") ? 60 : 100, 1));
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const peers = peerDefs.map((p) => ({ name: p.name, unitsPerSecond: median(samples.get(p.name)!), note: p.note }));
for (const p of peers) console.log(`${p.name.padEnd(34)} ${(p.unitsPerSecond / 1e6).toFixed(2).padStart(9)} M units/s`);
const roundRatios = samples.get("Rappel smsInfo")!.map((v, k) => v / samples.get("@trt2/gsm-charset-utils")![k]!);
const ceilingRatios = samples
  .get("Rappel smsInfo")!
  .map((v, k) => v / samples.get("charCodeAt table loop (ceiling)")![k]!);

const rappel = peers.find((p) => p.name === "Rappel smsInfo")!.unitsPerSecond;
const gsm = peers.find((p) => p.name === "@trt2/gsm-charset-utils")!.unitsPerSecond;
const ratio = median(roundRatios);
const result = {
  benchmark: "sms",
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  corpus: {
    texts: corpus.length,
    units: corpusUnits,
    mix: "55% GSM-7 French, 35% French typography (UCS-2), 7% extension chars, 3% emoji; 25% multi-part",
  },
  peers,
  ratios: { rappelVsGsmCharsetUtils: ratio, rappelVsTableLoop: median(ceilingRatios), perRound: roundRatios },
  agreement: {
    texts: corpus.length,
    disagreementsWithTwilio: disagreements,
    gsmCharsetUtilsSegmentDisagreements: gsmUtilsSegmentDisagreements,
  },
  targets: { unitsPerSecond: 200e6, vsGsmCharsetUtils: 4.5, disagreements: 0 },
  met: { unitsPerSecond: rappel >= 200e6, vsGsmCharsetUtils: ratio >= 4.5, disagreements: disagreements === 0 },
};
console.log(
  `ratio vs gsm-charset-utils (median of per-round ratios): ${ratio.toFixed(2)}×; vs table loop ${median(ceilingRatios).toFixed(2)}; disagreements with Twilio: ${disagreements}`,
);

const md = `# smsInfo benchmark

Node ${result.node} on ${result.machine.cpu} (${result.machine.cores} cores, shared), ${result.date}.
Corpus: ${corpus.length} generated French appointment texts, ${corpusUnits} UTF-16 units (${result.corpus.mix}).
Peers interleaved in ${ROUNDS} rounds (100 ms each per round; Twilio 60 ms on 100 texts) in one process; medians.\nRatios are medians of per-round ratios, which cancels most of the noise of a shared machine.

| peer | M units/s | vs gsm-charset-utils | note |
| --- | ---: | ---: | --- |
${peers.map((p) => `| ${p.name} | ${(p.unitsPerSecond / 1e6).toFixed(2)} | ${(p.unitsPerSecond / gsm).toFixed(2)}× | ${p.note} |`).join("\n")}

Agreement with Twilio's calculator on the whole corpus: **${disagreements} disagreements** in ${corpus.length} texts
(encoding, units, segments, remaining). gsm-charset-utils disagrees with it on the segment count of
${gsmUtilsSegmentDisagreements} texts.

Targets (issue 3): ≥ 200 M units/s — ${result.met.unitsPerSecond ? "met" : "**not met**"}; ≥ 4.5× gsm-charset-utils —
${result.met.vsGsmCharsetUtils ? "met" : "**not met**"} (${ratio.toFixed(2)}×; ${(median(ceilingRatios) * 100).toFixed(0)} % of the bare table loop); zero disagreements — ${result.met.disagreements ? "met" : "**not met**"}.
`;
const out = new URL("./results/", import.meta.url);
writeFileSync(new URL("sms.json", out), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(new URL("sms.md", out), md);
