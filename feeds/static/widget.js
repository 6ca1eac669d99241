// calendar-feeds widget: an agenda of one feed on any web page.
//
//   <div data-calendar-feeds="https://feeds.example.org/feeds.json" data-feed="all" data-limit="8"></div>
//   <script src="https://feeds.example.org/static/widget.js" defer></script>
//
// It reads feeds.json, then the feed it names, both across origins (the site
// sends Access-Control-Allow-Origin: *), and lists the coming events, or the
// last ones when all are past, with times in the reader's time zone. It reads
// only what these feeds contain (UTC times, dates, and TZID times whose zone the
// browser knows); for full iCalendar support use a library such as ical.js.
// Text is inserted with textContent, never as HTML.
(function () {
  'use strict';

  function unfold(text) {
    return text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  }

  function unescapeText(value) {
    return value.replace(/\\([\\;,nN])/g, function (_, c) {
      return c === 'n' || c === 'N' ? '\n' : c;
    });
  }

  function splitLine(line) {
    var quoted = false;
    var i = 0;
    for (; i < line.length; i++) {
      var c = line.charAt(i);
      if (c === '"') quoted = !quoted;
      else if (c === ':' && !quoted) break;
    }
    var head = line.slice(0, i).split(';');
    var params = {};
    for (var j = 1; j < head.length; j++) {
      var eq = head[j].indexOf('=');
      if (eq > 0) params[head[j].slice(0, eq).toUpperCase()] = head[j].slice(eq + 1).replace(/^"|"$/g, '');
    }
    return { name: head[0].toUpperCase(), params: params, value: line.slice(i + 1) };
  }

  function zoneOffsetMs(zone, ms) {
    var f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric'
    });
    var p = {};
    f.formatToParts(new Date(ms)).forEach(function (part) { p[part.type] = part.value; });
    var asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
    return asUtc - ms;
  }

  // {ms, allDay} of a DTSTART/DTEND, or null when it cannot be read.
  function readTime(prop) {
    if (!prop) return null;
    var m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(prop.value);
    if (!m) return null;
    if (m[4] === undefined) {
      return { ms: Date.UTC(+m[1], +m[2] - 1, +m[3]), allDay: true };
    }
    var wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    if (m[7] === 'Z' || !prop.params.TZID) return { ms: wall, allDay: false };
    try {
      var guess = wall - zoneOffsetMs(prop.params.TZID, wall);
      return { ms: wall - zoneOffsetMs(prop.params.TZID, guess), allDay: false };
    } catch (e) {
      return { ms: wall, allDay: false };
    }
  }

  function parseEvents(text) {
    var events = [];
    var current = null;
    var depth = 0;
    unfold(text).forEach(function (line) {
      if (!line) return;
      var prop = splitLine(line);
      if (prop.name === 'BEGIN') {
        if (prop.value === 'VEVENT') current = {};
        else if (current) depth++;
        return;
      }
      if (prop.name === 'END') {
        if (current && depth) depth--;
        else if (prop.value === 'VEVENT' && current) {
          events.push(current);
          current = null;
        }
        return;
      }
      if (current && !depth && !(prop.name in current)) current[prop.name] = prop;
    });
    return events.map(function (raw) {
      var start = readTime(raw.DTSTART);
      var end = readTime(raw.DTEND) || start;
      return {
        title: raw.SUMMARY ? unescapeText(raw.SUMMARY.value) : '(untitled)',
        location: raw.LOCATION ? unescapeText(raw.LOCATION.value) : '',
        url: raw.URL ? raw.URL.value : '',
        cancelled: raw.STATUS ? raw.STATUS.value === 'CANCELLED' : false,
        repeats: Boolean(raw.RRULE),
        start: start,
        end: end
      };
    }).filter(function (e) { return e.start; });
  }

  function describeTime(event) {
    var start = new Date(event.start.ms);
    if (event.start.allDay) {
      var opts = { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };
      var days = Math.round((event.end.ms - event.start.ms) / 86400000);
      var text = new Intl.DateTimeFormat(undefined, opts).format(start);
      if (days > 1) text += ' – ' + new Intl.DateTimeFormat(undefined, opts).format(new Date(event.end.ms - 86400000));
      return text;
    }
    return new Intl.DateTimeFormat(undefined, {
      weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
      timeZoneName: 'short'
    }).format(start);
  }

  function element(name, className, text) {
    var el = document.createElement(name);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function render(box, feed, events, limit) {
    var now = Date.now();
    events.sort(function (a, b) { return a.start.ms - b.start.ms; });
    var coming = events.filter(function (e) { return (e.end || e.start).ms > now; });
    var shown = coming.length ? coming.slice(0, limit) : events.slice(-limit);
    box.textContent = '';
    box.classList.add('cf-widget');
    box.appendChild(element('p', 'cf-title', feed.name + (coming.length ? '' : ': past events')));
    var list = element('ul', 'cf-events');
    shown.forEach(function (event) {
      var item = element('li', 'cf-event' + (event.cancelled ? ' cf-cancelled' : ''));
      var when = element('time', 'cf-when', describeTime(event));
      when.setAttribute('datetime', new Date(event.start.ms).toISOString());
      item.appendChild(when);
      var title = element(/^https?:\/\//.test(event.url) ? 'a' : 'span', 'cf-summary', event.title);
      if (title.tagName === 'A') {
        title.href = event.url;
        title.rel = 'noopener noreferrer';
      }
      item.appendChild(document.createTextNode(' '));
      item.appendChild(title);
      if (event.repeats) item.appendChild(element('span', 'cf-note', ' (repeats)'));
      if (event.cancelled) item.appendChild(element('span', 'cf-note', ' (cancelled)'));
      if (event.location) item.appendChild(element('span', 'cf-location', ' · ' + event.location));
      list.appendChild(item);
    });
    box.appendChild(list);
    var link = element('a', 'cf-subscribe', 'Subscribe to this calendar');
    link.href = feed.webcal || feed.url;
    box.appendChild(link);
  }

  function load(box) {
    var index = box.getAttribute('data-calendar-feeds');
    var wanted = box.getAttribute('data-feed') || 'all';
    var limit = parseInt(box.getAttribute('data-limit') || '8', 10) || 8;
    box.setAttribute('aria-busy', 'true');
    fetch(index, { credentials: 'omit' })
      .then(function (r) {
        if (!r.ok) throw new Error('feeds.json: HTTP ' + r.status);
        return r.json();
      })
      .then(function (data) {
        var feed = (data.feeds || []).filter(function (f) { return f.id === wanted; })[0];
        if (!feed) throw new Error('no feed "' + wanted + '" in feeds.json');
        return fetch(feed.url, { credentials: 'omit' }).then(function (r) {
          if (!r.ok) throw new Error(feed.url + ': HTTP ' + r.status);
          return r.text();
        }).then(function (text) {
          render(box, feed, parseEvents(text), limit);
        });
      })
      .catch(function (error) {
        box.textContent = 'The calendar could not be loaded (' + error.message + ').';
      })
      .then(function () {
        box.removeAttribute('aria-busy');
      });
  }

  function start() {
    var boxes = document.querySelectorAll('[data-calendar-feeds]');
    for (var i = 0; i < boxes.length; i++) load(boxes[i]);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
