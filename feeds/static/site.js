// Small enhancements; every page works without them.
//  - "Copy" buttons next to feed URLs and embed code (hidden until this runs).
//  - Read-only URL fields select their text on focus.
//  - The "make your own feed" form counts the picked events.
(function () {
  'use strict';

  function statusFor(button) {
    var next = button.nextElementSibling;
    return next && next.classList.contains('copy-status') ? next : null;
  }

  function copyFrom(field, button) {
    var status = statusFor(button);
    function report(ok) {
      if (status) status.textContent = ok ? 'Copied.' : 'Press Ctrl+C (⌘C) to copy the selected text.';
    }
    function fallback() {
      field.focus();
      field.select();
      var ok = false;
      try {
        ok = document.execCommand('copy');
      } catch (e) {
        ok = false;
      }
      report(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { report(true); }, fallback);
    } else {
      fallback();
    }
  }

  function setUpCopyButtons() {
    var buttons = document.querySelectorAll('button.copy[data-copy]');
    for (var i = 0; i < buttons.length; i++) {
      (function (button) {
        var field = document.getElementById(button.getAttribute('data-copy'));
        if (!field) return;
        button.hidden = false;
        button.addEventListener('click', function () { copyFrom(field, button); });
      })(buttons[i]);
    }
    var fields = document.querySelectorAll('input.url, textarea.snippet');
    for (var j = 0; j < fields.length; j++) {
      fields[j].addEventListener('focus', function (event) { event.target.select(); });
    }
  }

  function setUpPicker() {
    var form = document.getElementById('picker');
    if (!form) return;
    var count = form.querySelector('.picked-count');
    function update() {
      var picked = document.querySelectorAll('input[name="ids"][form="picker"]:checked').length;
      if (count) {
        count.textContent = picked ? picked + (picked === 1 ? ' event picked.' : ' events picked.') : '';
      }
    }
    document.addEventListener('change', function (event) {
      if (event.target && event.target.getAttribute && event.target.getAttribute('form') === 'picker') update();
    });
    update();
  }

  function start() {
    setUpCopyButtons();
    setUpPicker();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
