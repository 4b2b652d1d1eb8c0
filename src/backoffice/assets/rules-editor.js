// Rules editor and place pickers, progressive enhancement of plain POST forms:
// - place suggestions as you type (GET /regles/lieux) in a datalist; picking one adds a chip
//   (a checked checkbox named like the list), Enter too; without script the server resolves
//   the typed name;
// - buttons inserting a reason's variables at the caret;
// - JSON validation as you type (POST /regles/valider with the page's CSRF token), shown in
//   #validation, an aria-live region.
// Built with DOM nodes and textContent only.
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('input[data-place-search]'), function (input) {
    var list = document.getElementById(input.getAttribute('list'));
    var target = input.getAttribute('data-place-target');
    var chips = document.getElementById(target + '-list');
    var facts = input.getAttribute('data-place-facts') || '';
    // A single place typed into the field itself (the simulation), rather than chips.
    var fill = input.hasAttribute('data-place-fill');
    var known = {};
    var timer = null;
    var status = document.createElement('p');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    input.parentNode.appendChild(status);

    function add(place) {
      if (fill) {
        if (input.value !== place.name) input.value = place.name;
        status.textContent = place.name + ' choisi.';
        return;
      }
      var exists = chips.querySelector('input[value="' + place.token.replace(/"/g, '') + '"]');
      if (exists) exists.checked = true;
      else {
        var li = document.createElement('li');
        var label = document.createElement('label');
        label.className = 'check chip';
        var box = document.createElement('input');
        box.type = 'checkbox';
        box.name = target;
        box.value = place.token;
        box.checked = true;
        var detail = document.createElement('span');
        detail.className = 'muted';
        detail.textContent = '(' + place.detail + ')';
        label.appendChild(box);
        label.appendChild(document.createTextNode(' ' + place.name + ' '));
        label.appendChild(detail);
        li.appendChild(label);
        chips.appendChild(li);
      }
      input.value = '';
      status.textContent = place.name + ' ajouté.';
    }

    function search() {
      var q = input.value.trim();
      if (q.length < 2 || known[q]) return;
      fetch('/regles/lieux?q=' + encodeURIComponent(q) + (facts ? '&faits=' + encodeURIComponent(facts) : ''), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : { places: [] }; })
        .then(function (data) {
          if (input.value.trim() !== q) return;
          list.textContent = '';
          data.places.forEach(function (p) {
            known[p.text] = p;
            var option = document.createElement('option');
            option.value = p.text;
            list.appendChild(option);
          });
          status.textContent = data.places.length ? data.places.length + ' lieux proposés.' : 'Aucun lieu ne correspond.';
        })
        .catch(function () {});
    }

    input.addEventListener('input', function () {
      var place = known[input.value];
      if (place) return add(place);
      if (fill && Object.keys(known).some(function (k) { return known[k].name === input.value; })) return;
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener('keydown', function (event) {
      if (event.key !== 'Enter' || fill) return;
      var first = list.querySelector('option');
      var place = known[input.value] || (first && known[first.value]);
      if (place) {
        event.preventDefault();
        add(place);
      }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll('button[data-insert]'), function (button) {
    button.addEventListener('click', function () {
      var area = document.getElementById(button.getAttribute('aria-controls'));
      if (!area) return;
      var text = button.getAttribute('data-insert');
      var start = area.selectionStart == null ? area.value.length : area.selectionStart;
      var end = area.selectionEnd == null ? start : area.selectionEnd;
      area.value = area.value.slice(0, start) + text + area.value.slice(end);
      area.focus();
      area.setSelectionRange(start + text.length, start + text.length);
    });
  });
})();

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
