// The widget's CSS, scoped by its shadow root. `all: initial !important` on the host: inside
// the shadow context an !important rule beats the page's, even its !important ones, so the
// page can neither hide nor restyle the widget. Pixels only: rem would follow the page's root.
export const css = `
:host{all:initial!important;display:block!important;position:static!important;visibility:visible!important;opacity:1!important;transform:none!important;pointer-events:auto!important}
*,*::before,*::after{box-sizing:border-box;margin:0;padding:0}
[hidden]{display:none!important}
.root{--p:#7b2342;--on-p:#fff;--p-text:#7b2342;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Ubuntu,Arial,sans-serif;color:#1a1a1a;letter-spacing:normal;text-align:left;direction:ltr}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
button,input{font:inherit;color:inherit}
button{cursor:pointer;border:0;background:none}
:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 5px #fff}
.launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;min-height:52px;padding:10px 18px 10px 14px;border-radius:26px;background:var(--p);color:var(--on-p);font-weight:600;font-size:15px;box-shadow:0 4px 14px rgba(0,0,0,.28)}
.left .launcher,.left .panel{right:auto;left:20px}
.launcher svg{width:24px;height:24px;flex:none}
.panel{position:fixed;bottom:20px;right:20px;z-index:2147483001;display:flex;flex-direction:column;width:400px;max-width:calc(100vw - 40px);height:640px;max-height:calc(100vh - 40px);max-height:calc(100dvh - 40px);background:#fff;border-radius:14px;overflow:hidden;box-shadow:0 10px 40px rgba(0,0,0,.3)}
.head{display:flex;align-items:flex-start;gap:10px;padding:14px 12px 12px 16px;background:var(--p);color:var(--on-p)}
.head div{flex:1;min-width:0}
h2{font-size:17px;font-weight:700;line-height:1.3}
.head p{font-size:13px;line-height:1.35}
.close{flex:none;width:40px;height:40px;border-radius:20px;font-size:26px;line-height:40px;text-align:center;color:var(--on-p)}
.close:hover{background:rgba(127,127,127,.25)}
.log{position:relative;flex:1;min-height:96px;overflow-y:auto;padding:14px 12px;display:flex;flex-direction:column;gap:8px;background:#fafafa}
.msg{max-width:85%;padding:9px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:15px}
.bot{align-self:flex-start;background:#ececf0;color:#1a1a1a;border-bottom-left-radius:4px}
.user{align-self:flex-end;background:var(--p);color:var(--on-p);border-bottom-right-radius:4px}
.note{align-self:center;max-width:95%;font-size:13px;color:#4a4a4a;text-align:center}
.msg small{display:block;font-size:12px;opacity:.9}
.msg a{color:inherit;text-decoration:underline}
.pending{opacity:.8}
.status{min-height:0;padding:0 14px;font-size:13px;color:#8a1c1c;background:#fafafa}
.status:not(:empty){padding:6px 14px}
.typing{display:flex;gap:4px;align-self:flex-start;padding:12px 14px;background:#ececf0;border-radius:14px}
.typing i{width:7px;height:7px;border-radius:4px;background:#555;animation:b 1.2s infinite}
.typing i:nth-child(2){animation-delay:.2s}.typing i:nth-child(3){animation-delay:.4s}
@keyframes b{0%,80%,100%{opacity:.3}40%{opacity:1}}
@media (prefers-reduced-motion:reduce){.typing i{animation:none}}
.choices{flex:0 1 auto;min-height:0;overflow:hidden;display:flex;flex-direction:column;gap:6px;max-height:60%;padding:8px 12px;border-top:1px solid #e0e0e0;background:#fafafa}
.choices:empty{display:none}
.hint{flex:none;font-size:13px;color:#4a4a4a}
.options{display:flex;flex-wrap:wrap;gap:6px;min-height:0;overflow-y:auto;margin:-5px;padding:5px}
.options{background:linear-gradient(#fafafa 30%,rgba(250,250,250,0)) top/100% 24px no-repeat local,linear-gradient(rgba(250,250,250,0),#fafafa 70%) bottom/100% 24px no-repeat local,radial-gradient(farthest-side at 50% 0,rgba(0,0,0,.22),transparent) top/100% 10px no-repeat scroll,radial-gradient(farthest-side at 50% 100%,rgba(0,0,0,.22),transparent) bottom/100% 10px no-repeat scroll}
.option{padding:6px 12px;border:2px solid var(--p-text);border-radius:18px;background:#fff;color:var(--p-text);font-size:14px;font-weight:600;text-align:left}
@media (hover:hover){.option:hover{box-shadow:inset 0 0 0 1px var(--p-text);text-decoration:underline}}
.toggle{display:inline-flex;align-items:center;gap:7px}
.toggle::before{content:"";flex:none;width:16px;height:16px;border:2px solid currentColor;border-radius:4px;font-size:12px;line-height:12px;text-align:center}
.toggle[aria-pressed=true]{background:var(--p);color:var(--on-p);border-color:var(--p)}
.toggle[aria-pressed=true]::before{content:"✓";content:"✓"/"";background:var(--on-p);color:var(--p);border-color:var(--on-p);font-weight:700}
.actions{flex:none;display:flex;flex-wrap:wrap;gap:6px}
.submit{flex:1 0 auto;min-width:40%;min-height:40px;padding:0 16px;border-radius:8px;background:var(--p);color:var(--on-p);font-weight:700}
.submit:disabled{cursor:default;background:#ececec;color:#5c5c5c}
.ref{white-space:nowrap;font-weight:700}
form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #d6d6d6;background:#fff}
input{flex:1;min-width:0;height:44px;padding:0 12px;border:1px solid #767676;border-radius:8px;background:#fff;font-size:16px}
input:disabled{background:#f0f0f0}
form button{flex:none;height:44px;padding:0 16px;border-radius:8px;background:var(--p);color:var(--on-p);font-weight:600}
form button:disabled{cursor:default}
.legal{padding:0 12px 8px;font-size:12px;color:#4a4a4a;background:#fff}
.legal .offer{color:var(--p-text);text-decoration:underline;white-space:nowrap}
@media (max-height:600px){.head p{display:none}}
@media (max-width:599px){.panel,.left .panel{top:0;left:0;right:0;bottom:0;width:100%;max-width:none;height:100%;max-height:none;border-radius:0}.launcher,.left .launcher{bottom:12px;right:12px}.left .launcher{right:auto;left:12px}}
`;
