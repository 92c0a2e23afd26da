import { MACROS } from "./catalogue.js";

const code = (s: string) => `\`${s}\``;
const list = (a: readonly string[]) => (a.length ? a.map(code).join(", ") : "");

/** The Markdown of docs/macros.md, generated from the catalogue (`pnpm --filter @rappel/templating docs:macros`). */
export function macrosDoc(): string {
  const french = MACROS.flatMap((m) => m.french).length;
  const rows = MACROS.map(
    (m) =>
      `| ${code(`{{${m.name}}}`)} | ${list(m.owl)} | ${list([...m.french, ...m.bracket])} | ${m.description.replaceAll("|", "\\|")} | ${code(m.example)} | ${m.maxLength} |`,
  );
  return `<!-- Generated from packages/templating/src/macros/catalogue.ts by packages/templating/scripts/generate-macros-doc.ts. Do not edit: run \`pnpm --filter @rappel/templating docs:macros\`. -->

# Macro reference

Every datum a template can use has one canonical name (SPEC R-22), written in the native Mustache syntax
\`{{client.firstName}}\`. The other spellings are aliases that may appear anywhere in a template's text: Owl-style
English (\`_CLIENT-FIRST-NAME_\`), the ${french} French forms of seed 002 exactly as written there (spaces and
apostrophes included), and the bracket variables \`[contact]\` and \`[sujet]\` of seed 000 (message notifications).
An alias may also be written inside braces: \`{{_PRÉNOM-CLIENT_}}\`.

Dates, times and the duration are derived from \`appointment.start\` and \`appointment.end\` in the render's time zone
(\`timeZone\` option, else \`appointment.timeZone\`, else UTC) and locale (default \`fr-FR\`). Examples are French,
Europe/Paris. "Max length" is the longest plausible value, used by \`lintTemplate\` for worst-case SMS length.

Sections show their content when the macro's value is not empty: \`{{#room.name}}Salle {{room.name}}{{/room.name}}\`;
inverted sections when it is: \`{{^room.name}}…{{/room.name}}\`.

| canonical | Owl English | French (seed 002) / bracket | description | example | max length |
| --- | --- | --- | --- | --- | ---: |
${rows.join("\n")}
`;
}
