// `npm run build:widget`: writes web-widget/dist/widget.js (served when esbuild is not
// installed, e.g. a production install without dev dependencies) and prints its size.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildWidget, toAsset, WIDGET_DIST } from '../src/channels/directline/assets.js';

const js = await buildWidget();
mkdirSync(dirname(WIDGET_DIST), { recursive: true });
writeFileSync(WIDGET_DIST, js);
const { gzip } = toAsset(js);
console.error(`widget.js : ${(js.length / 1024).toFixed(1)} Ko, ${(gzip.length / 1024).toFixed(1)} Ko compressé (gzip)`);
