// « Copier le code » : copies a read-only block (the partner's embed code) to the clipboard and
// says so in a status region; the block stays selectable by hand without script.
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('button[data-copy]'), function (button) {
    var id = button.getAttribute('data-copy');
    var source = document.getElementById(id);
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    button.addEventListener('click', function () {
      source.focus();
      source.select();
      var done = function () { if (status) status.textContent = 'Code copié : collez-le dans la page du site.'; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(source.value).then(done, function () {
          if (document.execCommand('copy')) done();
        });
      } else if (document.execCommand('copy')) done();
    });
  });
})();
