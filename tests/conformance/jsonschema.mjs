// Validate EPCIS JSON-LD documents against the GS1 EPCIS 2.0 JSON Schema.
// usage: node jsonschema.mjs SCHEMA_DIR FILE...
// Prints "ok FILE" or "FAIL FILE" with every schema error; exits 1 on any failure.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const [schemaDir, ...files] = process.argv.slice(2);
if (!schemaDir || files.length === 0) {
  console.error('usage: node jsonschema.mjs SCHEMA_DIR FILE...');
  process.exit(2);
}
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const root = JSON.parse(fs.readFileSync(path.join(schemaDir, 'EPCIS-JSON-Schema.json'), 'utf8'));
const validate = ajv.compile(root);
let failed = 0;
for (const f of files) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch (e) {
    console.log(`FAIL ${f}: not JSON: ${e.message}`);
    failed++;
    continue;
  }
  if (validate(doc)) {
    console.log(`ok ${f}`);
  } else {
    failed++;
    console.log(`FAIL ${f}`);
    for (const e of validate.errors.slice(0, 10)) console.log(`  ${e.instancePath || '/'} ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
