// Moved to src/html.ts (the public offer pages use it too); kept so that the back office's imports stay.
export * from '../../html.js';
