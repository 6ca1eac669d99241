// Viewer-local times and the upcoming/past split, computed in the browser.
//
// The pages are the same bytes for every visitor and every day: they carry each
// event's UTC instants (<time class="viewer" datetime="...Z" data-end="...Z"> and
// data-end on each day). This script, loaded from the site itself (the pages'
// Content-Security-Policy allows no inline script), fills in the viewer's own
// time with the zone named, and moves days that are not over yet into the
// "Upcoming" section. Without it the agenda is complete, in date order.
(function () {
  'use strict';

  var main = document.querySelector('[data-zone]');
  var pageZone = main ? main.getAttribute('data-zone') : '';
  var viewerZone = '';
  try {
    viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (e) {
    viewerZone = '';
  }

  function formatter(options) {
    try {
      return new Intl.DateTimeFormat(undefined, options);
    } catch (e) {
      return null;
    }
  }

  var dayFormat = formatter({ weekday: 'short', day: 'numeric', month: 'short' });
  // a 24-hour clock whatever the locale, as everywhere else on the page
  var clockFormat = formatter({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  // a day as written in the page (a date, not an instant: no zone conversion)
  var longDayFormat = formatter({ day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  var abbreviationFormat = formatter({ hour: 'numeric', timeZoneName: 'short' });

  // "UTC+1", "UTC-3:30": how the page labels offsets ("AoE, UTC-12")
  function offsetLabel(date) {
    var minutes = -date.getTimezoneOffset();
    if (minutes === 0) return 'UTC';
    var sign = minutes > 0 ? '+' : '-';
    var abs = Math.abs(minutes);
    var hours = Math.floor(abs / 60);
    var rest = abs % 60;
    return 'UTC' + sign + hours + (rest ? ':' + (rest < 10 ? '0' : '') + rest : '');
  }

  // The zone's letters ("CET", "PDT") where the locale has them, else the offset as the
  // page writes it ("UTC+1"), never the locale's "GMT+1".
  function zoneAbbreviation(date) {
    var f = abbreviationFormat;
    if (f && f.formatToParts) {
      var parts = f.formatToParts(date);
      for (var i = 0; i < parts.length; i++) {
        if (parts[i].type === 'timeZoneName' && /^[A-Z]{2,5}$/.test(parts[i].value) &&
            parts[i].value !== 'GMT' && parts[i].value !== 'UTC') {
          return parts[i].value;
        }
      }
    }
    return offsetLabel(date);
  }

  function sameLocalDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  function localText(start, end) {
    var text = dayFormat.format(start) + ', ' + clockFormat.format(start);
    if (end.getTime() !== start.getTime()) {
      text += '–' + (sameLocalDay(start, end) ? '' : dayFormat.format(end) + ', ') + clockFormat.format(end);
    }
    var abbr = zoneAbbreviation(start);
    return 'Your time: ' + text + (abbr ? ' ' + abbr : '');
  }

  function fillViewerTimes() {
    if (!dayFormat || !clockFormat) return;
    var note = document.querySelector('.viewer-zone');
    if (viewerZone && viewerZone === pageZone) {
      if (note) {
        note.textContent = 'That is your time zone too.';
        note.hidden = false;
      }
      return;
    }
    var times = document.querySelectorAll('time.viewer[datetime]');
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var start = new Date(el.getAttribute('datetime'));
      var end = new Date(el.getAttribute('data-end') || el.getAttribute('datetime'));
      if (isNaN(start.getTime())) continue;
      el.textContent = localText(start, isNaN(end.getTime()) ? start : end);
      el.hidden = false;
    }
    if (note && times.length) {
      note.textContent = '“Your time” is in your device’s time zone' + (viewerZone ? ', ' + viewerZone : '') + '.';
      note.hidden = false;
    }
  }

  function splitUpcoming() {
    var all = document.querySelector('[data-all]');
    var upcomingBox = document.querySelector('[data-upcoming]');
    if (!all || !upcomingBox) return;
    var now = Date.now();
    var days = all.querySelectorAll('.day[data-end]');
    var upcoming = [];
    var lastDay = '';
    for (var i = 0; i < days.length; i++) {
      var end = Date.parse(days[i].getAttribute('data-end'));
      // the last day covered, as the page lists it (an all-day event's exclusive end,
      // midnight after its last day, is not a day it covers)
      var last = days[i].getAttribute('data-last') || '';
      if (last > lastDay) lastDay = last;
      if (end > now) upcoming.push(days[i]);
      var events = days[i].querySelectorAll('.event[data-end]');
      for (var j = 0; j < events.length; j++) {
        if (Date.parse(events[j].getAttribute('data-end')) <= now) events[j].classList.add('is-past');
      }
    }
    var status = document.querySelector('.agenda-status');
    if (days.length && !upcoming.length) {
      if (status) {
        var lastDate = new Date(lastDay + 'T12:00:00Z');
        status.textContent = 'Every event here is over (the last ended ' +
          (longDayFormat ? longDayFormat.format(lastDate) : lastDay) +
          '). The list stays for reference, and the feeds and links still work.';
        status.hidden = false;
      }
      document.documentElement.classList.add('all-past');
      return;
    }
    if (upcoming.length === days.length) return;
    for (var k = 0; k < upcoming.length; k++) upcomingBox.appendChild(upcoming[k]);
    var section = upcomingBox.closest('section');
    if (section) section.hidden = false;
    var heading = document.getElementById('events-heading');
    if (heading && heading.getAttribute('data-past-label')) {
      heading.textContent = heading.getAttribute('data-past-label');
    }
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target) target.scrollIntoView();
  }

  function start() {
    fillViewerTimes();
    splitUpcoming();
    document.documentElement.classList.add('times-ready');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
