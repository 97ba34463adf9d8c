// `npm install`'s prepare step, after the client build: the embedded database's template, so the
// first `npm start` skips initdb and PostGIS (geo/embedded-template.ts). A failure here is said and
// does not fail the install: a database is then made from nothing, 14 s slower.
import { buildEmbeddedTemplate } from '../geo/index.ts';

const started = performance.now();
try {
  const file = await buildEmbeddedTemplate();
  process.stdout.write(`prepared the embedded database's template in ${((performance.now() - started) / 1000).toFixed(1)} s: ${file}\n`);
} catch (error) {
  process.stderr.write(`could not prepare the embedded database's template (${(error as Error).message}); the first npm start makes its database from nothing, about 14 s slower\n`);
}
