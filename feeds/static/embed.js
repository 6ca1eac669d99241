// The framed agenda's options, read from the page's own query string (docs/embedding.md).
//
// /embed/... pages are the same bytes for every URL and every day (a static export
// ignores query strings), so the options are applied here, in the browser:
//   ?theme=light|dark|auto   colours; light unless asked (auto follows the reader's device)
//   ?next=N                  compact: only the next N events (1 to 50)
// A value outside these, a misspelt one or a key given twice is ignored: the
// default applies. Past events are listed newest first, so when every event is
// over the latest come first. Inside a frame the page posts its height to the
// host page ({type: 'calendar-feeds:height', height: px}); static/embed-host.js
// resizes the frame with it.
//
// Loaded without `defer` in <head> so the theme is set before the first paint;
// the rest runs at DOMContentLoaded, after static/local-times.js (deferred) has
// split upcoming from past.
(function () {
  'use strict';

  var THEMES = ['light', 'dark', 'auto'];
  var MAX_NEXT = 50;
  var MESSAGE_TYPE = 'calendar-feeds:height';
  var REQUEST_TYPE = 'calendar-feeds:height-request';

  // One value of `key`, or null when it is absent or given more than once.
  function single(params, key) {
    var values = params.getAll(key);
    return values.length === 1 ? values[0] : null;
  }

  // The options of a query string ("?theme=dark&next=5"); never throws.
  function parseOptions(search) {
    var options = { theme: 'light', next: null };
    var params;
    try {
      params = new URLSearchParams(typeof search === 'string' ? search : '');
    } catch (e) {
      return options;
    }
    var theme = single(params, 'theme');
    if (theme !== null && THEMES.indexOf(theme) !== -1) options.theme = theme;
    var next = single(params, 'next');
    if (next !== null && /^[1-9][0-9]?$/.test(next) && Number(next) <= MAX_NEXT) {
      options.next = Number(next);
    }
    return options;
  }

  var options = parseOptions(window.location.search);
  var root = document.documentElement;
  root.setAttribute('data-theme', options.theme);
  if (options.next !== null) root.classList.add('compact');

  function children(parent, selector) {
    return parent ? Array.prototype.slice.call(parent.querySelectorAll(selector)) : [];
  }

  function reverseChildren(parent, selector) {
    var items = children(parent, selector);
    for (var i = items.length - 1; i >= 0; i--) parent.appendChild(items[i]);
  }

  // Past days (and the rows in each) newest first; the upcoming ones stay in date order.
  function newestFirst(all) {
    reverseChildren(all, ':scope > .day');
    children(all, ':scope > .day > .events').forEach(function (list) {
      reverseChildren(list, ':scope > .event');
    });
  }

  // Only the first `count` events not over yet (the latest `count` when all are over).
  function limitTo(count, allPast) {
    var now = Date.now();
    var shown = 0;
    children(document, '.event').forEach(function (row) {
      var end = Date.parse(row.getAttribute('data-end'));
      var wanted = shown < count && (allPast || !(end <= now));
      row.hidden = !wanted;
      if (wanted) shown++;
    });
    children(document, '.day').forEach(function (day) {
      day.hidden = !children(day, '.event').some(function (row) { return !row.hidden; });
    });
    children(document, 'section.upcoming, section.all-events').forEach(function (section) {
      if (!children(section, '.day').some(function (day) { return !day.hidden; })) {
        section.hidden = true;
      }
    });
    var total = children(document, '.event').length;
    var more = document.querySelector('.embed-more');
    if (more && total > shown) {
      var link = more.querySelector('a');
      if (link) link.textContent = 'All ' + total + ' events';
      more.hidden = false;
    }
  }

  function arrange() {
    var upcoming = document.querySelector('section.upcoming');
    var all = document.querySelector('[data-all]');
    var allPast = root.classList.contains('all-past');
    // [data-all] holds past days only once local-times.js has split them off (or all are past)
    if (all && (allPast || (upcoming && !upcoming.hidden))) newestFirst(all);
    if (allPast) {
      // one heading line instead of local-times.js's paragraph: the rows start near the top
      var status = document.querySelector('.agenda-status');
      if (status) status.hidden = true;
      var heading = document.getElementById('events-heading');
      if (heading) heading.textContent = 'Every event is over · latest first';
    }
    if (options.next !== null) limitTo(options.next, allPast);
  }

  // The page's height, to the page framing it; again whenever it changes, and when asked
  // (static/embed-host.js asks once it runs, in case it missed the first message).
  function postHeight() {
    if (window.parent === window) return;
    var last = -1;
    function send(force) {
      var height = Math.ceil(document.body.getBoundingClientRect().height);
      if (height === last && force !== true) return;
      last = height;
      window.parent.postMessage({ type: MESSAGE_TYPE, height: height }, '*');
    }
    send(true);
    if (window.ResizeObserver) {
      new ResizeObserver(send).observe(document.body);
    } else {
      window.addEventListener('resize', send);
    }
    window.addEventListener('message', function (event) {
      if (event.source === window.parent && event.data && event.data.type === REQUEST_TYPE) {
        send(true);
      }
    });
  }

  function start() {
    arrange();
    postHeight();
  }

  window.CalendarFeedsEmbed = { options: options, parseOptions: parseOptions };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
