// The front page's deadlines, in the browser; the page works without this script.
//
// The page lists the first deadlines ahead as of its build date, each with its UTC instant
// (data-at). This script adds to each the time left and the time in the viewer's own zone,
// hides those that passed since the build, and searches and filters by area over the
// site's search index (/search.json: every deadline ahead as of the build), listing more on
// demand. Text from the index is only ever set as text, never parsed as HTML.
(function () {
  'use strict';

  var PAGE = 50;
  var root = document.querySelector('[data-front]');
  if (!root) return;
  var list = root.querySelector('[data-dues]');
  var status = root.querySelector('.due-status');
  var more = root.querySelector('.due-more');
  var form = root.querySelector('.front-search');
  var search = document.getElementById('due-search');
  var tagSelect = document.getElementById('due-tag');
  var index = null;
  var shown = PAGE;

  function formatter(options) {
    try {
      return new Intl.DateTimeFormat(undefined, options);
    } catch (e) {
      return null;
    }
  }
  var localFormat = formatter({
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23', timeZoneName: 'short'
  });
  var viewerZone = '';
  try {
    viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (e) {
    viewerZone = '';
  }

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  }

  // "3 days 4 hours left", "5 hours 12 minutes left", "12 minutes left"
  function timeLeft(ms) {
    var minutes = Math.floor(ms / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var rest = minutes % 60;
    if (days >= 1) return plural(days, 'day') + (hours ? ' ' + plural(hours, 'hour') : '') + ' left';
    if (hours >= 1) return plural(hours, 'hour') + (rest ? ' ' + plural(rest, 'minute') : '') + ' left';
    return plural(Math.max(rest, 0), 'minute') + ' left';
  }

  function localText(at) {
    if (!localFormat) return '';
    return 'Your time: ' + localFormat.format(new Date(at)) + (viewerZone ? ' (' + viewerZone + ')' : '');
  }

  // Fills in one item's time left and local time; false when it has passed.
  function refresh(item, now) {
    var at = Date.parse(item.getAttribute('data-at'));
    if (isNaN(at)) return true;
    if (at <= now) {
      item.hidden = true;
      return false;
    }
    var countdown = item.querySelector('.countdown');
    if (countdown) {
      countdown.textContent = timeLeft(at - now);
      countdown.hidden = false;
    }
    var local = item.querySelector('.due-local');
    if (local) {
      local.textContent = localText(at);
      local.hidden = !local.textContent;
    }
    return true;
  }

  function refreshAll() {
    var now = Date.now();
    var items = list.querySelectorAll('li.due');
    var passed = 0;
    for (var i = 0; i < items.length; i++) {
      if (!refresh(items[i], now)) passed++;
    }
    return passed;
  }

  function link(href, text, action) {
    var a = document.createElement('a');
    a.setAttribute('href', href);
    a.textContent = text;
    if (action) a.setAttribute('data-action', action);
    return a;
  }

  // An item like the page's own, from a row of the index: [at, calendar, title, ics, anchor,
  // stated, utc]. The add links are the .ics and the event's own page (every app from there).
  function item(row) {
    var cal = index.calendars[row[1]];
    var li = document.createElement('li');
    li.className = 'due';
    li.setAttribute('data-at', row[0]);
    li.setAttribute('data-calendar', cal[0]);
    li.setAttribute('data-tags', cal[3].join(' '));
    var when = document.createElement('p');
    when.className = 'due-when';
    var countdown = document.createElement('strong');
    countdown.className = 'countdown';
    var time = document.createElement('time');
    time.setAttribute('datetime', row[0]);
    time.textContent = row[5];
    var utc = document.createElement('span');
    utc.className = 'due-utc';
    utc.textContent = '(' + row[6] + ')';
    var local = document.createElement('span');
    local.className = 'due-local';
    [countdown, time, utc, local].forEach(function (el, i) {
      if (i) when.appendChild(document.createTextNode(' '));
      when.appendChild(el);
    });
    var what = document.createElement('p');
    what.className = 'due-what';
    var title = link(rel(cal[2]) + '#' + row[4], '');
    var name = document.createElement('bdi');
    name.textContent = cal[1];
    var event = document.createElement('bdi');
    event.textContent = row[2];
    title.appendChild(name);
    title.appendChild(document.createTextNode(': '));
    title.appendChild(event);
    what.appendChild(title);
    var actions = document.createElement('ul');
    actions.className = 'actions';
    actions.setAttribute('aria-label', 'Add \u201c' + row[2] + '\u201d of ' + cal[1] + ' to your calendar');
    var ics = link(rel(row[3]), 'Add (.ics)', 'ics');
    ics.setAttribute('download', '');
    var feedUrl = index.public_url + cal[4];
    [ics, link(rel(cal[2]) + '#' + row[4], 'Other apps', 'page'),
     link(feedUrl.replace(/^https?:/, 'webcal:'), 'Subscribe to its deadlines', 'subscribe')]
      .forEach(function (a) {
        var entry = document.createElement('li');
        entry.appendChild(a);
        actions.appendChild(entry);
      });
    li.appendChild(when);
    li.appendChild(what);
    li.appendChild(actions);
    return li;
  }

  // Index paths are from the site's root; the page may be exported into any folder.
  function rel(path) {
    var base = root.getAttribute('data-index').replace(/search\.json$/, '');
    return base + path.replace(/^\//, '');
  }

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(function (w) { return w; });
  }

  function matches(row, query, tag) {
    var cal = index.calendars[row[1]];
    if (tag && cal[3].indexOf(tag) === -1) return false;
    if (!query.length) return true;
    var text = (cal[0] + ' ' + cal[1] + ' ' + row[2] + ' ' + cal[3].join(' ')).toLowerCase();
    for (var i = 0; i < query.length; i++) {
      if (text.indexOf(query[i]) === -1) return false;
    }
    return true;
  }

  function render() {
    var query = words(search ? search.value : '');
    var tag = tagSelect ? tagSelect.value : '';
    var now = Date.now();
    var found = index.deadlines.filter(function (row) {
      return Date.parse(row[0]) > now && matches(row, query, tag);
    });
    while (list.firstChild) list.removeChild(list.firstChild);
    var page = found.slice(0, shown);
    for (var i = 0; i < page.length; i++) {
      var li = item(page[i]);
      list.appendChild(li);
      refresh(li, now);
    }
    more.hidden = found.length <= shown;
    var filtered = query.length || tag;
    status.textContent = (filtered ? plural(found.length, 'deadline') + ' ahead match' + (found.length === 1 ? 'es' : '')
      : plural(found.length, 'deadline') + ' ahead') +
      (found.length > page.length ? '; showing the first ' + page.length + '.' : '.');
  }

  function withIndex(then) {
    if (index) return then();
    var url = root.getAttribute('data-index');
    fetch(url, { credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        index = data;
        then();
      })
      .catch(function () {
        status.textContent = 'The search index could not be loaded; the list above is as built.';
      });
  }

  function start() {
    var passed = refreshAll();
    if (passed) {
      status.textContent = plural(passed, 'deadline') + ' passed since this page was built and ' +
        (passed === 1 ? 'is' : 'are') + ' hidden.';
    }
    var notes = root.querySelectorAll('.js-only');
    for (var i = 0; i < notes.length; i++) notes[i].hidden = false;
    if (!window.fetch || !list) return;
    if (form) {
      form.hidden = false;
      form.addEventListener('submit', function (event) { event.preventDefault(); });
      var update = function () {
        shown = PAGE;
        withIndex(render);
      };
      if (search) search.addEventListener('input', update);
      if (tagSelect) tagSelect.addEventListener('change', update);
    }
    // more than the page lists, or some passed since: the index has the rest
    if (more && (root.getAttribute('data-more') === 'yes' || passed)) more.hidden = false;
    if (more) {
      more.addEventListener('click', function () {
        shown += PAGE;
        withIndex(render);
      });
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
