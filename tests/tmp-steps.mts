import { recognizerWarmSteps } from '../src/qualification/recognizers.js';
const t0 = performance.now();
const steps = recognizerWarmSteps();
console.log('load suite', Math.round(performance.now() - t0));
for (const [i, s] of steps.entries()) { const t = performance.now(); s(); console.log(i, Math.round(performance.now() - t)); }
