// The offer page's stylesheet: a public-service page (system fonts, one readable column, AA
// contrasts), from a 375 px phone to a 1366 px screen, and a print version (no form, no
// navigation, cards kept whole). Inlined and allowed by its hash in the CSP (no other resource).
import { createHash } from 'node:crypto';

export const OFFER_CSS = `
:root{--ink:#1e1e1e;--muted:#4d4d4d;--line:#cfcfcf;--brand:#1f4e79;--brand-light:#e8f0f8;--ok:#1d5e2c;--ok-bg:#e3f3e6;--mid:#6b4a00;--mid-bg:#fff1cc;--bad:#9b1c1c;--bad-bg:#fbe4e4}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,Arial,sans-serif;font-size:1.0625rem;line-height:1.55;color:var(--ink);background:#fff}
a{color:var(--brand);text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;z-index:10;padding:.6em 1em;background:#fff;color:var(--brand)}
.skip:focus{left:0}
.wrap{max-width:78rem;margin:0 auto;padding:0 1.25rem}
header.site{background:var(--brand);color:#fff}
header.site .wrap{display:flex;flex-wrap:wrap;align-items:baseline;gap:.2em 1em;padding-top:.9em;padding-bottom:.9em}
header.site .name{font-weight:800;font-size:1.35em;letter-spacing:.01em}
header.site .tagline{opacity:.95}
main{padding-bottom:3em}
.crumbs{list-style:none;display:flex;flex-wrap:wrap;gap:.3em;margin:1.1em 0 0;padding:0;font-size:.92em;color:var(--muted)}
.crumbs li+li::before{content:"›";margin-right:.3em}
h1{font-size:2rem;line-height:1.2;margin:.5em 0 .4em}
h1 .where{display:block;font-size:1.15rem;font-weight:600;color:var(--muted);margin-top:.3em}
h2{font-size:1.5rem;line-height:1.25;margin:2em 0 .5em;padding-top:.6em;border-top:1px solid var(--line)}
h3{font-size:1.2rem;margin:1.6em 0 .3em}
.lead{font-size:1.12em;max-width:46em;margin-bottom:.5em}
.callout{max-width:46em;margin:.5em 0 1em;padding:.7em 1em;border-left:4px solid var(--ok);background:var(--ok-bg)}
.toc{list-style:none;display:flex;flex-wrap:wrap;gap:.4em 1.4em;margin:1em 0;padding:.8em 1em;background:var(--brand-light);border-left:4px solid var(--brand)}
.toc a{font-weight:600}
.hint{color:var(--muted);margin:.2em 0 .8em;max-width:46em}
.territories{margin:.4em 0 0;padding-left:1.2em}
form.filters{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.8em 1.2em;margin:1em 0;padding:1em;border:1px solid var(--line);border-radius:4px;background:#f6f6f6}
.field{display:flex;flex-direction:column;gap:.25em;flex:1 1 15em;min-width:0}
label{font-weight:600}
select{font:inherit;width:100%;min-height:2.75em;padding:.35em .5em;border:1px solid #6e6e6e;border-radius:4px;background:#fff;color:var(--ink)}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.6em 1.2em}
button{font:inherit;font-weight:600;min-height:2.75em;padding:.45em 1.2em;border:1px solid var(--brand);border-radius:4px;background:var(--brand);color:#fff;cursor:pointer}
button:hover{background:#163a5c}
.count{font-weight:600;margin:.6em 0}
.cards{list-style:none;display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:1em;margin:.6em 0 0;padding:0}
.card{display:flex;flex-direction:column;padding:1em 1.1em;border:1px solid var(--line);border-top:4px solid var(--brand);border-radius:4px;background:#fff}
.card h4{font-size:1.08rem;line-height:1.3;margin:0 0 .4em}
.card p{margin:0 0 .6em}
.card dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em .8em;margin:.2em 0 0;font-size:.95em}
.card dt{font-weight:600;color:var(--muted)}
.card dd{margin:0;min-width:0;overflow-wrap:anywhere}
.tag{display:inline-block;margin:0 .3em .2em 0;padding:0 .45em;border-radius:3px;background:var(--brand-light);color:#153756;font-size:.92em}
.note{font-size:.9em;color:var(--muted);font-style:italic}
.empty{padding:1em;border-left:4px solid var(--mid);background:var(--mid-bg)}
.facts{margin:.6em 0;padding-left:1.2em}
.facts li{margin:.3em 0}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.5em 1.5em;margin:.8em 0;padding:0;font-size:.95em}
.table-scroll{overflow-x:auto;margin:.8em 0;border:1px solid var(--line);border-radius:4px}
table.state{border-collapse:collapse;width:100%;min-width:46rem;font-size:.86em;hyphens:auto}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.table-title{font-weight:600;margin:1em 0 .3em}
.narrow-only{display:none}
table.state th,table.state td{border:1px solid var(--line);padding:.4em .45em;vertical-align:top;text-align:left}
table.state thead th{background:#f2f2f2;font-weight:600;line-height:1.3}
table.state tbody th{background:#f7f7f7;font-weight:600;position:sticky;left:0}
table.state td small{display:block;font-size:.88em;line-height:1.3;margin-top:.15em}
.ok{background:var(--ok-bg);color:var(--ok)}
.mid{background:var(--mid-bg);color:var(--mid)}
.bad{background:var(--bad-bg);color:var(--bad)}
.mark{font-weight:700;margin-right:.25em}
td.ok,td.mid,td.bad{font-weight:600}
.legend span.mark{display:inline-block;min-width:1.5em;text-align:center;border-radius:3px}
footer.site{margin-top:2em;padding:1.2em 0 2em;border-top:1px solid var(--line);color:var(--muted);font-size:.92em}
@media (max-width:40em){
  body{font-size:1rem}
  .wrap{padding:0 1rem}
  h1{font-size:1.55rem}
  h2{font-size:1.3rem}
  .cards{grid-template-columns:1fr}
  .card dl{grid-template-columns:1fr}
  .card dd{margin-bottom:.3em}
  .narrow-only{display:block}
}
@media print{
  @page{margin:1.5cm}
  body{font-size:10.5pt;color:#000}
  .skip,.toc,.crumbs,form.filters,.noprint{display:none}
  header.site{background:none;color:#000;border-bottom:2px solid #000}
  header.site .wrap{padding:0 0 .4em}
  .wrap{max-width:none;padding:0}
  a{color:#000;text-decoration:none}
  h2{break-after:avoid;border-top:0}
  h3,h4{break-after:avoid}
  .cards{display:block}
  .card{break-inside:avoid;margin:0 0 .5em;border:1px solid #777;border-top:2px solid #000}
  .table-scroll{overflow:visible;border:0}
  table.state{width:100%;min-width:0;font-size:7pt;hyphens:manual}
  table.state th,table.state td{padding:.2em .25em}
  table.state thead th{font-size:6.5pt}
  table.state tbody th{position:static}
  .ok,.mid,.bad,table.state thead th,table.state tbody th{background:none;color:#000}
}
`.trim();

/** CSP source for the inline stylesheet: the page allows this exact text and nothing else. */
export const OFFER_CSS_HASH = `'sha256-${createHash('sha256').update(OFFER_CSS).digest('base64')}'`;
