// Entry point of widget.js: one <aiguillage-chat> per page, however many times the script runs.
import { findScript, readConfig } from './config.js';
import { defineElement, TAG } from './element.js';

type Host = HTMLElement & { config?: ReturnType<typeof readConfig> };

(() => {
  const flag = '__aiguillageWidget';
  const w = window as unknown as Record<string, unknown>;
  if (w[flag] || document.querySelector(TAG)) return;
  const config = readConfig(findScript(document.currentScript));
  if (!config) {
    console.warn('Aiguillage : attribut data-partner manquant ou invalide sur la balise <script>.');
    return;
  }
  w[flag] = true;
  defineElement();
  const mount = () => {
    if (document.querySelector(TAG)) return;
    const host = document.createElement(TAG) as Host;
    host.config = config;
    document.body.appendChild(host);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
})();
