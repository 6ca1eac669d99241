// Small enhancements; every page works without them.
//  - "Copy" buttons next to feed URLs and embed code (hidden until this runs).
//  - Read-only URL fields select their text on focus.
//  - The "make your own feed" form counts the picked events, and ticks again the choice
//    "Change your choice" brings back.
//  - The first screen offers each feed to the app the platform suggests (Apple Calendar
//    without this script), the others one click away.
//  - Google links copy the feed URL on the way to Google's "From URL" page.
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
    restoreChoice(form);
    update();
  }

  // "Change your choice" on /subscribe/ comes back with the choice in the query string
  // (?alarm=1h&ids=a,b): tick those picks and reminders again.
  function restoreChoice(form) {
    if (!window.URLSearchParams || !window.location.search) return;
    var query = new URLSearchParams(window.location.search);
    function values(name) {
      var out = [];
      query.getAll(name).forEach(function (value) {
        value.split(',').forEach(function (v) { if (v) out.push(v); });
      });
      return out;
    }
    function tick(boxes, wanted) {
      for (var i = 0; i < boxes.length; i++) {
        if (wanted.indexOf(boxes[i].value) !== -1) boxes[i].checked = true;
      }
    }
    tick(document.querySelectorAll('input[name="ids"][form="picker"]'), values('ids'));
    tick(form.querySelectorAll('input[name="alarm"]'), values('alarm'));
  }

  // The app a visitor most likely uses, from the platform: Android and ChromeOS -> Google;
  // iPhone, iPad and Mac -> Apple Calendar; Windows -> Outlook; Linux -> Google (Thunderbird
  // users find "other apps" next to it). Outlook for Mac cannot subscribe: Apple on a Mac.
  function likelyApp() {
    var data = navigator.userAgentData;
    var platform = data && data.platform ? String(data.platform) : '';
    var ua = navigator.userAgent || '';
    if (/android/i.test(platform) || /Android/.test(ua)) return 'google';
    if (/chrome ?os/i.test(platform) || /CrOS/.test(ua)) return 'google';
    if (/^(macOS|iOS)$/i.test(platform) || /iPhone|iPad|iPod|Macintosh|Mac OS X/.test(ua)) return 'apple';
    if (/windows/i.test(platform) || /Windows/.test(ua)) return 'outlook';
    if (/linux/i.test(platform) || /Linux|X11/.test(ua)) return 'google';
    return 'apple';
  }

  function setUpFirstScreen() {
    var app = likelyApp();
    var actions = document.querySelectorAll('[data-quick-action]');
    for (var i = 0; i < actions.length; i++) {
      var action = actions[i];
      var main = action.querySelector('.quick-main');
      var pick = action.querySelector('.quick-others a[data-app="' + app + '"]');
      if (!main || !pick) continue;
      main.setAttribute('href', pick.getAttribute('href'));
      main.setAttribute('data-app', app);
      ['data-copy-url', 'target', 'rel'].forEach(function (name) {
        if (pick.hasAttribute(name)) main.setAttribute(name, pick.getAttribute(name));
        else main.removeAttribute(name);
      });
      var label = main.getAttribute('data-label') || '';
      var to = main.querySelector('.quick-app');
      main.textContent = label;
      if (to) {
        to.textContent = ' to ' + pick.getAttribute('data-app-name');
        main.appendChild(to);
      }
      var others = action.querySelectorAll('.quick-others a[data-app-name]');
      for (var j = 0; j < others.length; j++) others[j].hidden = others[j] === pick;
    }
    document.documentElement.setAttribute('data-likely-app', app);
  }

  // Google has no working subscribe link for feeds it does not host: its links copy the
  // URL, then open Google's "From URL" page (in a new tab, so these words stay in view).
  function setUpCopyLinks() {
    document.addEventListener('click', function (event) {
      var link = event.target && event.target.closest ? event.target.closest('a[data-copy-url]') : null;
      if (!link) return;
      var url = link.getAttribute('data-copy-url');
      var scope = link.closest('[data-quick], .subscribe');
      var status = scope ? scope.querySelector('.copy-status') : null;
      function report(ok) {
        if (status) {
          status.textContent = ok
            ? 'Feed URL copied. On Google\u2019s page, paste it under \u201cURL of calendar\u201d and press \u201cAdd calendar\u201d.'
            : 'On Google\u2019s page, paste this feed URL under \u201cURL of calendar\u201d: ' + url;
        }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(function () { report(true); }, function () { report(false); });
      } else {
        report(false);
      }
    });
  }

  function start() {
    setUpFirstScreen();
    setUpCopyLinks();
    setUpCopyButtons();
    setUpPicker();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
