// Rendering against its peers in the same run: mustache (pre-formatted strings), mustache + date-fns-tz
// formatInTimeZone (naive), handlebars (compiled), plus date formatting alone and memory per compiled template.
// Writes bench/results/templating.{json,md}.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, totalmem } from "node:os";
import { compileTemplate, defaultTemplate, formatDate, type MacroContext } from "../packages/templating/src/index.js";

const require = createRequire(new URL("../packages/templating/package.json", import.meta.url));
const Mustache = require("mustache") as { render(t: string, v: unknown): string; parse(t: string): unknown };
const Handlebars = require("handlebars") as { compile(t: string): (v: unknown) => string };
const { formatInTimeZone } = require("date-fns-tz") as {
  formatInTimeZone(d: Date, tz: string, f: string, o?: unknown): string;
};
const gc = (globalThis as { gc?: () => void }).gc;
const loadAtStart = loadavg();
/** Rate of the last sample per second of this process's CPU time (user + system): what the code costs on a shared machine. */
let lastCpuRate = 0;

function opsPerSecond(fn: (i: number) => unknown, ms = 200, samples = 7, warmUp = true): number {
  let sink = 0;
  let i = 0;
  const t0 = performance.now();
  while (warmUp && performance.now() - t0 < ms) for (let k = 0; k < 100; k++) sink += (fn(i++) as string).length;
  const results: number[] = [];
  for (let s = 0; s < samples; s++) {
    let ops = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let k = 0; k < 100; k++) sink += (fn(i++) as string).length;
      ops += 100;
      now = performance.now();
    }
    results.push(ops / ((now - start) / 1000));
    const cpu = process.cpuUsage(cpu0);
    lastCpuRate = ops / ((cpu.user + cpu.system) / 1e6);
  }
  if (sink < 0) console.log(sink);
  return results.sort((a, b) => a - b)[samples >> 1]!;
}

const rows: { group: string; name: string; opsPerSecond: number; opsPerCpuSecond: number; note: string }[] = [];
/**
 * Peers of a group run interleaved: 7 rounds, each peer 150 ms per round, after a warm-up; the rate is the median
 * of the rounds, and ratios are medians of per-round ratios (robust to other load on a shared machine).
 */
function group(name: string, peers: [string, (i: number) => unknown][]): number[][] {
  for (const [, fn] of peers) opsPerSecond(fn, 150, 1, true);
  const perRound: number[][] = peers.map(() => []);
  const perCpu: number[][] = peers.map(() => []);
  for (let r = 0; r < 7; r++) {
    peers.forEach(([, fn], k) => {
      perRound[k]!.push(opsPerSecond(fn, 150, 1, false));
      perCpu[k]!.push(lastCpuRate);
    });
  }
  peers.forEach(([peer], k) => {
    const v = median(perRound[k]!);
    const c = median(perCpu[k]!);
    rows.push({ group: name, name: peer, opsPerSecond: v, opsPerCpuSecond: c, note: "" });
    console.log(
      `${name.padEnd(10)} ${peer.padEnd(46)} ${(v / 1e3).toFixed(0).padStart(8)} k/s ${(c / 1e3).toFixed(0).padStart(8)} k/CPU-s`,
    );
  });
  return perRound;
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const ratioOf = (a: number[], b: number[]) => median(a.map((v, k) => v / b[k]!));

// ── 1. The default French reminder SMS, with its date and time in the appointment's zone ───────────────────────
// 1,000 appointments spread over a month (so the date path really runs), same template.
const starts = Array.from({ length: 1000 }, (_, k) => new Date(Date.UTC(2026, 5, 1, 6) + k * 37 * 60_000));
const contexts: MacroContext[] = starts.map((start) => ({
  account: { name: "Dr Claire Dubois" },
  appointment: { start, timeZone: "Europe/Paris" },
}));
const smsSource = defaultTemplate("reminder").sms;
const sms = compileTemplate(smsSource, { channel: "sms", purpose: "reminder" });
const preformatted = contexts.map((c) => ({
  account: { name: "Dr Claire Dubois" },
  appointment: {
    startDate: formatDate(c.appointment!.start!, { timeZone: "Europe/Paris" }),
    startTime: formatInTimeZone(c.appointment!.start!, "Europe/Paris", "HH'h'mm"),
  },
}));
Mustache.parse(smsSource); // mustache caches parsed templates
const smsRounds = group("sms", [
  ["Rappel render (formats date+time in zone)", (i) => sms.render(contexts[i % 1000]!)],
  ["mustache.render (pre-formatted strings)", (i) => Mustache.render(smsSource, preformatted[i % 1000])],
  [
    "mustache.render + formatInTimeZone ×2 (naive)",
    (i) => {
      const start = starts[i % 1000]!;
      return Mustache.render(smsSource, {
        account: { name: "Dr Claire Dubois" },
        appointment: {
          startDate: formatInTimeZone(start, "Europe/Paris", "dd/MM/yyyy"),
          startTime: formatInTimeZone(start, "Europe/Paris", "HH'h'mm"),
        },
      });
    },
  ],
]);
const smsRappel = median(smsRounds[0]!);
const smsRatio = ratioOf(smsRounds[0]!, smsRounds[1]!);

// ── 2. Date formatting alone ─────────────────────────────────────────────────────────────────────────────────
group("date", [
  ["Rappel formatDate (cached zone offset)", (i) => formatDate(starts[i % 1000]!, { timeZone: "Europe/Paris" })],
  ["date-fns-tz formatInTimeZone", (i) => formatInTimeZone(starts[i % 1000]!, "Europe/Paris", "dd/MM/yyyy")],
]);

// ── 3. A 2 KB HTML email with 20 escaped values ───────────────────────────────────────────────────────────────
const names = [
  "client.firstName",
  "client.lastName",
  "client.name",
  "practitioner.name",
  "practitioner.email",
  "clinic.name",
  "location.name",
  "location.address",
  "location.city",
  "location.region",
  "location.regionCode",
  "location.country",
  "room.name",
  "service.name",
  "service.instructions",
  "recipient.name",
  "message.subject",
  "message.contact",
  "account.name",
  "client.firstName",
];
let html = '<div style="font-family:Arial,sans-serif;max-width:600px;margin:0 auto;color:#222">\n';
names.forEach((n, k) => {
  html += `<p class="l${k}" style="margin:0 0 8px 0;line-height:1.4">Ligne ${k} : <strong>{{${n}}}</strong> — informations complémentaires pour votre rendez-vous.</p>\n`;
});
html += "</div>\n";
while (html.length < 2048) html += "<!-- padding --><p>&nbsp;</p>\n";
const view: Record<string, Record<string, string>> = {};
for (const n of names) {
  const [g, k] = n.split(".") as [string, string];
  view[g] ??= {};
  view[g][k] = `Valeur ${k} & <${g}> "x"`;
}
const rappelHtml = compileTemplate(html, { channel: "email-html" });
const hbs = Handlebars.compile(html);
Mustache.parse(html);
if (rappelHtml.render(view as MacroContext) !== hbs(view).replaceAll("&#x27;", "&#39;").replaceAll("&#x3D;", "=")) {
  // Same template, same data: the outputs must match (modulo the escape spelling of ' and =).
  const a = rappelHtml.render(view as MacroContext);
  const b = hbs(view);
  if (a.replace(/&#39;|&#x27;|&#x3D;|=/g, "") !== b.replace(/&#39;|&#x27;|&#x3D;|=/g, "")) {
    throw new Error("Rappel and handlebars disagree on the HTML output");
  }
}
const htmlRounds = group("email", [
  ["Rappel render (2 KB, 20 escaped values)", () => rappelHtml.render(view as MacroContext)],
  ["handlebars compiled", () => hbs(view)],
  ["mustache.render (cached parse)", () => Mustache.render(html, view)],
]);
const htmlRatio = ratioOf(htmlRounds[0]!, htmlRounds[1]!);

// ── 4. Memory per compiled template, and the bounded cache ───────────────────────────────────────────────────
function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}
const N = 900;
const keep: unknown[] = [];
const before = heap();
for (let k = 0; k < N; k++) keep.push(compileTemplate(`${smsSource} Supplément n°${k}.`, { channel: "sms" }));
const smsBytes = (heap() - before) / N;
const before2 = heap();
for (let k = 0; k < N; k++) keep.push(compileTemplate(`${html}<!-- ${k} -->`, { channel: "email-html" }));
const htmlBytes = (heap() - before2) / N;
for (let k = 0; k < 5000; k++) compileTemplate(`cache probe ${k} {{client.name}}`, { channel: "sms" });
const { templateCacheSize } = await import("../packages/templating/src/compile/compileTemplate.js");
const cacheSize = templateCacheSize();
console.log(
  `memory: ${Math.round(smsBytes)} B per compiled SMS template, ${Math.round(htmlBytes)} B per 2 KB HTML template (source string included); cache after 6,800 distinct compiles: ${cacheSize} entries`,
);

const result = {
  benchmark: "templating",
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  loadAverage: { start: loadAtStart, end: loadavg() },
  rows,
  ratios: { smsVsMustachePreformatted: smsRatio, htmlVsHandlebars: htmlRatio },
  memory: {
    bytesPerSmsTemplate: Math.round(smsBytes),
    bytesPerHtmlTemplate: Math.round(htmlBytes),
    cacheBound: 1000,
    cacheSize,
  },
  targets: { smsRendersPerSecond: 1e6, smsVsMustache: 1.5, htmlVsHandlebars: 1.1 },
  met: {
    smsRendersPerSecond: smsRappel >= 1e6,
    smsVsMustache: smsRatio >= 1.5,
    htmlVsHandlebars: htmlRatio >= 1.1,
  },
};
const md = `# Templating benchmark

Node ${result.node} on ${result.machine.cpu} (${result.machine.cores} cores, shared with other jobs), ${result.date}; load average
(1 / 5 / 15 min) at the start ${result.loadAverage.start.map((v) => v.toFixed(2)).join(" / ")}, at the end ${result.loadAverage.end.map((v) => v.toFixed(2)).join(" / ")}.
Peers of each group interleaved: 7 rounds of 150 ms per peer after a warm-up, one process; rates are medians of\nthe rounds and ratios medians of per-round ratios (robust to other load on a shared machine).

"Per CPU-second" divides each round's operations by the process's user + system CPU time instead of the wall clock
(it counts GC threads too, so it errs low): what the code costs when the cores are shared with other jobs.

| group | peer | renders/s | per CPU-second | note |
| --- | --- | ---: | ---: | --- |
${rows.map((r) => `| ${r.group} | ${r.name} | ${Math.round(r.opsPerSecond).toLocaleString("en-US")} | ${Math.round(r.opsPerCpuSecond).toLocaleString("en-US")} | ${r.note} |`).join("\n")}

- Default French reminder SMS, date and time formatted in Europe/Paris for 1,000 different instants:
  **${(result.ratios.smsVsMustachePreformatted).toFixed(2)}×** \`mustache.render\` fed pre-formatted strings
  (target ≥ 1.5× — ${result.met.smsVsMustache ? "met" : "**not met**"}); ${Math.round(smsRappel).toLocaleString("en-US")} renders/s
  (target ≥ 1 M/s — ${result.met.smsRendersPerSecond ? "met" : "**not met** on this shared machine"}).
- 2 KB HTML email, 20 escaped values: **${result.ratios.htmlVsHandlebars.toFixed(2)}×** handlebars compiled
  (target ≥ 1.1× — ${result.met.htmlVsHandlebars ? "met" : "**not met**"}).
- Memory: ${result.memory.bytesPerSmsTemplate} bytes per compiled SMS template, ${result.memory.bytesPerHtmlTemplate} bytes per
  compiled 2 KB HTML template (heap delta after GC, cache entry and source included). The compile cache is bounded at
  1,000 entries (least recently used out): ${cacheSize} after 6,800 distinct compiles.
`;
const out = new URL("./results/", import.meta.url);
writeFileSync(new URL("templating.json", out), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(new URL("templating.md", out), md);
