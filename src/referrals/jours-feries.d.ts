// Types for @socialgouv/jours-feries (CommonJS, no types shipped): name → local midnight.
declare module '@socialgouv/jours-feries' {
  export default function getJoursFeries(year: number, options?: { alsace?: boolean }): Record<string, Date>;
}
