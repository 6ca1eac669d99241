// For the page that frames /embed/...: sizes each embed frame to its agenda.
//
//   <iframe src="https://feeds.example.org/embed/icml-2026/" ...></iframe>
//   <script src="https://feeds.example.org/static/embed-host.js" defer></script>
//
// The embed page posts {type: 'calendar-feeds:height', height: px} to its parent
// (static/embed.js). This script accepts the message only from this script's own
// origin, sets the height of the one <iframe> that sent it, and ignores heights
// outside 1 to 100000 px. When it starts it asks the frames to send their height again
// ({type: 'calendar-feeds:height-request'}, to this origin only), so it may run before or
// after they load. It reads nothing else and adds nothing to the page.
(function () {
  'use strict';

  var MESSAGE_TYPE = 'calendar-feeds:height';
  var REQUEST_TYPE = 'calendar-feeds:height-request';
  var MAX_HEIGHT = 100000;
  var script = document.currentScript;
  var origin = '';
  try {
    origin = new URL(script.src, window.location.href).origin;
  } catch (e) {
    origin = '';
  }

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!origin || event.origin !== origin || !data || data.type !== MESSAGE_TYPE) return;
    var height = data.height;
    if (typeof height !== 'number' || !(height >= 1 && height <= MAX_HEIGHT)) return;
    var frames = document.getElementsByTagName('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.ceil(height) + 'px';
        frames[i].setAttribute('data-calendar-feeds-height', String(Math.ceil(height)));
        return;
      }
    }
  });

  // Frames of ours that loaded before this script ran sent their height unheard: ask again.
  // (A frame still on its first, blank document is skipped: it will send on its own.)
  function ours(frame) {
    try {
      return new URL(frame.src, window.location.href).origin === origin && !frame.contentDocument;
    } catch (e) {
      return false;
    }
  }
  if (origin) {
    var frames = document.getElementsByTagName('iframe');
    for (var i = 0; i < frames.length; i++) {
      if (ours(frames[i])) frames[i].contentWindow.postMessage({ type: REQUEST_TYPE }, origin);
    }
  }
})();
