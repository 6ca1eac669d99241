// FullCalendar 6 reading one feed of calendar-feeds with @fullcalendar/icalendar.
// ?feed=URL   the feed (default: a local `make serve` on port 8000), URL-encoded; use a
//             feed's ?times=utc variant: the plugin reads TZID times as floating
// ?view=NAME  listYear (default), dayGridMonth, listMonth, timeGridWeek, ...
(function () {
  'use strict';
  var params = new URLSearchParams(window.location.search);
  var feed = params.get('feed') || 'http://127.0.0.1:8000/feeds/icml-2026.ics?times=utc';
  var status = document.getElementById('status');
  document.getElementById('feed-url').textContent = feed;

  var calendar = new FullCalendar.Calendar(document.getElementById('calendar'), {
    initialView: params.get('view') || 'listYear',
    initialDate: params.get('date') || '2026-07-01',
    timeZone: 'local',
    height: 'auto', // the whole list, no inner scroll bar
    headerToolbar: { left: 'prev,next today', center: 'title', right: 'listYear,dayGridMonth' },
    events: { url: feed, format: 'ics' },
    eventSourceFailure: function (error) {
      status.textContent = 'Could not load the feed: ' + error.message;
      status.dataset.state = 'error';
    },
    loading: function (isLoading) {
      if (isLoading) {
        status.textContent = 'Loading…';
        delete status.dataset.state;
        return;
      }
      // FullCalendar adds the fetched events just after loading ends
      setTimeout(function () {
        if (status.dataset.state === 'error') return;
        status.textContent = calendar.getEvents().length + ' events in the feed for this period.';
        status.dataset.state = 'loaded';
      }, 0);
    },
  });
  calendar.render();
  window.feedsCalendar = calendar; // for the test and for poking at in the console
})();
