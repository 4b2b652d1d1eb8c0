// The bot's view of language understanding: qualification and territory behind one port.
import { qualify, recognizeEmail, recognizePhone, recognizeUnsure, recognizeYesNo } from '../qualification/index.js';
import { loadTerritory, normalizeText } from '../territory/index.js';
import type { Understanding } from './qualificationFlow.js';

export function createUnderstanding(): Understanding {
  const territory = loadTerritory();
  const served = new Set(territory.servedDepartements);
  return {
    qualify: (text) => {
      const q = qualify(text);
      return { profile: q.profile, place: q.place };
    },
    resolvePlace: (text) => territory.resolve(text),
    yesNo: (text) => recognizeYesNo(text),
    unsure: (text) => recognizeUnsure(text),
    email: (text) => recognizeEmail(text),
    phone: (text) => recognizePhone(text),
    normalize: normalizeText,
    isServedDepartement: (code) => served.has(code),
    departementName: (code) => territory.departement(code)?.nom,
  };
}
