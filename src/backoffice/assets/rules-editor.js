// Validation as you type in the rules editor: the text is sent (debounced) to POST
// /regles/valider with the page's CSRF token; the answer is shown in #validation, an
// aria-live region. Built with DOM nodes and textContent only.
(function () {
  'use strict';
  var area = document.querySelector('textarea[data-validate]');
  var out = document.getElementById('validation');
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  if (!area || !out || !tokenMeta) return;
  var token = tokenMeta.getAttribute('content') || '';
  var timer = null;
  var sequence = 0;

  function show(state, title, items) {
    out.setAttribute('data-state', state);
    out.textContent = '';
    var p = document.createElement('p');
    p.textContent = title;
    out.appendChild(p);
    if (items && items.length) {
      var ul = document.createElement('ul');
      ul.className = 'issues';
      items.forEach(function (text) {
        var li = document.createElement('li');
        li.textContent = text;
        ul.appendChild(li);
      });
      out.appendChild(ul);
    }
    area.setAttribute('aria-invalid', state === 'error' ? 'true' : 'false');
  }

  function validate() {
    var mine = ++sequence;
    show('pending', 'Vérification…');
    fetch('/regles/valider', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify({
        mode: area.getAttribute('data-validate'),
        file: area.getAttribute('data-file'),
        originalName: area.getAttribute('data-original') || null,
        text: area.value,
      }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (result) {
        if (mine !== sequence) return;
        if (result.ok) show('ok', result.message);
        else show('error', 'À corriger avant de publier :', result.issues);
      })
      .catch(function () {
        if (mine === sequence) show('error', 'Vérification impossible pour le moment ; elle sera refaite à l’enregistrement.');
      });
  }

  area.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(validate, 400);
  });
  validate();
})();
