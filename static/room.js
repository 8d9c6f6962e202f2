/* The session room (templates/room/room.html): its event stream, the chat, the plan's clock and the call.

   The call is WebRTC, peer to peer, signalled through the app: hello, welcome, offer, answer, candidate and bye
   are posted to the room and reach the other side through its event stream. Each names the tab that sent it
   ("from") and, but for hello, the tab it is for ("to"). The mechanic's tab makes the offers and the customer's
   answers, so two offers never cross. A tab that opens says hello and the other side starts over with it: a
   reload, another device or a lost network reconnects by itself. Both sides keep two transceivers (audio,
   video) whose tracks are swapped in place, so muting, a camera switch or media turned on later need no new
   offer. Without camera or microphone the call still receives, and the chat works on its own. */
(function () {
  'use strict';
  var configNode = document.getElementById('room-config');
  if (!configNode) { return; }
  var cfg = JSON.parse(configNode.textContent);
  var FINAL = ['completed', 'cancelled', 'no_show', 'expired'];
  var csrfInput = document.querySelector('input[name="csrf_token"]');
  var csrf = csrfInput ? csrfInput.value : '';
  var $ = function (id) { return document.getElementById(id); };
  var other = cfg.otherName || (cfg.side === 'customer' ? 'your mechanic' : 'the customer');
  var timeFormat = new Intl.DateTimeFormat('en-US', {
    hour: 'numeric', minute: '2-digit', timeZone: cfg.timezone, timeZoneName: 'short'});

  // ---- talking to the app -------------------------------------------------------------------------------------

  function post(url, body, json) {
    var headers = {'Accept': 'application/json', 'X-CSRFToken': csrf};
    if (json) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(body); }
    return fetch(url, {method: 'POST', body: body, headers: headers, credentials: 'same-origin'})
      .then(function (response) {
        if (response.ok) { return response.json(); }
        return response.json().catch(function () { return {}; }).then(function (answer) {
          throw new Error((answer.error && answer.error.message) || 'That did not go through. Please try again.');
        });
      });
  }

  var me = Math.random().toString(36).slice(2) + Date.now().toString(36);  // this tab
  var sending = Promise.resolve();  // signals leave in the order they were made

  function signal(message) {
    message.from = me;
    sending = sending.then(function () { return post(cfg.urls.signals, message, true); })
      .catch(function (error) { console.warn('signal not sent', error); });
    return sending;
  }

  // ---- the chat ---------------------------------------------------------------------------------------------

  var log = $('chat-log');
  var lastSeq = cfg.lastSeq;
  var readSeq = cfg.lastReadSeq;
  var unread = 0;

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 60;
  }

  function addMessage(m) {
    var empty = log.querySelector('.chat-empty');
    if (empty) { empty.remove(); }
    var mine = m.side === cfg.side;
    var stick = mine || nearBottom();
    var item = document.createElement('li');
    item.className = 'chat-msg ' + (mine ? 'mine' : 'theirs');
    item.dataset.seq = m.seq;
    var meta = document.createElement('p');
    meta.className = 'chat-meta';
    var who = document.createElement('strong');
    who.textContent = mine ? 'You' : m.sender_name;
    var when = document.createElement('time');
    when.dateTime = m.created_at;
    when.textContent = timeFormat.format(new Date(m.created_at));
    meta.append(who, ' ', when);
    item.append(meta);
    if (m.kind === 'photo') {
      var link = document.createElement('a');
      link.href = cfg.urls.photos + '/' + m.seq;
      link.target = '_blank';
      link.rel = 'noopener';
      var img = document.createElement('img');
      img.className = 'chat-photo';
      img.src = link.href;
      img.alt = 'Photo from ' + (mine ? 'you' : m.sender_name) + (m.body ? ': ' + m.body : '');
      link.append(img);
      item.append(link);
    }
    if (m.body) {
      var body = document.createElement('p');
      body.className = 'chat-body';
      body.textContent = m.body;
      item.append(body);
    }
    log.append(item);
    if (stick) { log.scrollTop = log.scrollHeight; }
    if (!mine && (document.hidden || !stick)) {
      unread += 1;
      showUnread();
    } else {
      markRead();
    }
  }

  function showUnread() {
    var badge = $('unread-count');
    badge.hidden = unread === 0;
    badge.textContent = unread + ' new';
  }

  var readTimer = null;
  function markRead() {
    unread = 0;
    showUnread();
    if (lastSeq <= readSeq || readTimer) { return; }
    readTimer = setTimeout(function () {
      readTimer = null;
      var form = new FormData();
      form.append('seq', lastSeq);
      post(cfg.urls.read, form).then(function (answer) { readSeq = answer.last_read_seq; }).catch(function () {});
    }, 400);
  }

  log.addEventListener('scroll', function () { if (nearBottom() && !document.hidden) { markRead(); } });
  document.addEventListener('visibilitychange', function () { if (!document.hidden && nearBottom()) { markRead(); } });
  log.scrollTop = log.scrollHeight;
  if (!document.hidden) { markRead(); }

  function enhance(form, field) {
    if (!form) { return; }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      clearError(form);
      post(form.action, new FormData(form)).then(function () {
        form.reset();
        form.querySelector(field).focus();
      }).catch(function (error) {
        showError(form, error.message);
      }).then(function () { button.disabled = false; });
    });
  }

  function clearError(form) {
    var old = form.querySelector('.error.live');
    if (old) { old.remove(); }
  }

  function showError(form, text) {
    var error = document.createElement('p');
    error.className = 'error live';
    error.setAttribute('role', 'alert');
    error.textContent = text;
    form.querySelector('button[type="submit"]').before(error);
  }

  enhance($('chat-form'), 'textarea');
  enhance($('photo-form'), 'input[type="file"]');
  var textarea = $('chat-form') && $('chat-form').querySelector('textarea');
  if (textarea) {
    textarea.addEventListener('keydown', function (event) {  // Enter sends, Shift+Enter starts a new line
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        $('chat-form').requestSubmit();
      }
    });
  }

  // ---- the session's state and clock -----------------------------------------------------------------------

  var warned = false;
  var clockTimer = null;

  function tick(endsAt) {
    var left = Math.round((new Date(endsAt) - Date.now()) / 1000);
    var clock = $('room-clock');
    var warning = $('room-warning');
    if (left > 0) {
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      clock.textContent = minutes + ':' + (seconds < 10 ? '0' : '') + seconds + ' left of the plan';
    } else {
      clock.textContent = 'The plan\'s time is up';
    }
    if (left <= 300 && left > 0 && !warned) {
      warned = true;
      warning.hidden = false;
      warning.textContent = '5 minutes left in this session.' + (cfg.side === 'mechanic'
        ? ' Start wrapping up, then complete it with a summary.' : ' Ask what you still want to know.');
    }
    if (left <= 0) {
      warning.hidden = false;
      warning.textContent = cfg.side === 'mechanic'
        ? 'The plan\'s time is up: finish your sentence, then complete the session with a summary.'
        : 'The plan\'s time is up. ' + other + ' will wrap up and write you a summary; nothing is cut off.';
    }
  }

  function startClock(endsAt) {
    if (clockTimer || !$('room-clock') || !endsAt) { return; }
    tick(endsAt);
    clockTimer = setInterval(function () { tick(endsAt); }, 1000);
  }

  if (cfg.status === 'live') { startClock(cfg.endsAt); }

  function onState(state) {
    var changed = state.status !== cfg.status || state.is_open !== cfg.isOpen || state.other_name !== cfg.otherName;
    if (!changed) { return; }
    if (FINAL.indexOf(state.status) >= 0 || state.is_open !== cfg.isOpen || state.other_name !== cfg.otherName) {
      leave(false);
      location.reload();  // the page shows the room as it now is: open, read-only with the summary, another mechanic
      return;
    }
    cfg.status = state.status;
    if (state.status === 'live') {
      $('room-status').textContent = 'Live. The session has started.';
      var clock = document.createElement('p');
      var face = document.createElement('span');
      clock.className = 'room-clock';
      face.id = 'room-clock';
      clock.append(face);
      $('room-status').after(clock);
      startClock(state.ends_at);
    }
  }

  // ---- the event stream -------------------------------------------------------------------------------------

  var source = null;

  function listen() {
    source = new EventSource(cfg.urls.events + '?after=' + lastSeq);
    source.addEventListener('state', function (event) { onState(JSON.parse(event.data)); });
    source.addEventListener('message', function (event) {
      var m = JSON.parse(event.data);
      if (m.seq <= lastSeq) { return; }
      lastSeq = m.seq;
      addMessage(m);
    });
    source.addEventListener('signal', function (event) {
      var m = JSON.parse(event.data);
      if (m.seq <= lastSeq) { return; }
      lastSeq = m.seq;
      handling = handling.then(function () { return onSignal(m.signal); })
        .catch(function (error) { console.warn('signal not handled', error); });
    });
    source.addEventListener('gone', function () { source.close(); location.reload(); });
  }

  // ---- the call ---------------------------------------------------------------------------------------------

  var call = $('call');
  var remoteVideo = $('remote-video');
  var selfVideo = $('self-video');
  var pc = null;
  var remoteTab = null;
  var pendingCandidates = [];
  var handling = Promise.resolve();
  var local = {audio: null, video: null};
  var facing = 'user';
  var offerer = cfg.side === 'mechanic';

  function say(text) { $('call-state').textContent = text; }

  function note(text) {
    var box = $('media-note');
    box.hidden = !text;
    box.textContent = text || '';
  }

  function newPeer(tab) {
    closePeer();
    remoteTab = tab;
    pendingCandidates = [];
    pc = new RTCPeerConnection({iceServers: cfg.iceServers, iceTransportPolicy: cfg.iceTransportPolicy});
    var stream = new MediaStream();
    remoteVideo.srcObject = stream;
    pc.ontrack = function (event) {
      stream.addTrack(event.track);
      remoteVideo.play().catch(function () {});
    };
    pc.onicecandidate = function (event) {
      if (event.candidate) { signal({type: 'candidate', to: tab, candidate: event.candidate.toJSON()}); }
    };
    pc.onconnectionstatechange = function () {
      if (!pc) { return; }
      var state = pc.connectionState;
      if (state === 'connected') { say('Connected with ' + other + '.'); }
      else if (state === 'new' || state === 'connecting') { say('Connecting to ' + other + '…'); }
      else if (state === 'disconnected') { say('Reconnecting to ' + other + '…'); }
      else if (state === 'failed') { say('Reconnecting to ' + other + '…'); restart(); }
    };
    if (offerer) {
      ['audio', 'video'].forEach(function (kind) {
        pc.addTransceiver(kind, {direction: 'sendrecv'}).sender.replaceTrack(local[kind]);
      });
    }
    say('Connecting to ' + other + '…');
  }

  function closePeer() {
    if (pc) {
      pc.onconnectionstatechange = null;
      pc.close();
    }
    pc = null;
  }

  function restart() {  // a lost network path: the mechanic's tab offers again with fresh ICE, the customer's asks
    if (offerer && pc && remoteTab) { makeOffer(true); }
    else if (!offerer) { signal({type: 'hello'}); }
  }

  function makeOffer(iceRestart) {
    return pc.createOffer({iceRestart: !!iceRestart}).then(function (offer) {
      return pc.setLocalDescription(offer);
    }).then(function () {
      return signal({type: 'offer', to: remoteTab, sdp: pc.localDescription.toJSON()});
    });
  }

  function flushCandidates() {
    var queued = pendingCandidates;
    pendingCandidates = [];
    return Promise.all(queued.map(function (c) { return pc.addIceCandidate(c); }));
  }

  function onSignal(s) {
    if (!s || s.from === me || (s.to && s.to !== me)) { return Promise.resolve(); }
    if (s.type === 'bye') {
      if (s.from !== remoteTab) { return Promise.resolve(); }
      closePeer();
      remoteTab = null;
      say(s.to ? 'The call goes on in your other tab or device.' : cfg.side === 'customer'
        ? 'Your mechanic left the room. They can come back.' : 'The customer left the room.');
      return Promise.resolve();
    }
    if (offerer) {
      if (s.type === 'hello' || s.type === 'welcome') {
        if (s.from === remoteTab && s.type === 'hello') { return makeOffer(true); }  // asked to reconnect
        if (s.from === remoteTab) { return Promise.resolve(); }
        var previous = remoteTab;
        if (previous) { signal({type: 'bye', to: previous}); }  // that tab is replaced: it stops trying
        newPeer(s.from);
        return makeOffer(false);
      }
      if (s.type === 'answer' && s.from === remoteTab && pc) {
        return pc.setRemoteDescription(s.sdp).then(flushCandidates);
      }
    } else {
      if (s.type === 'hello') {
        if (s.from !== remoteTab) { newPeer(s.from); }
        return signal({type: 'welcome', to: s.from});
      }
      if (s.type === 'offer') {
        if (s.from !== remoteTab || !pc) { newPeer(s.from); }
        return pc.setRemoteDescription(s.sdp).then(function () {
          pc.getTransceivers().forEach(function (t) {
            var kind = t.receiver.track.kind;
            t.direction = 'sendrecv';
            t.sender.replaceTrack(local[kind]);
          });
          return pc.createAnswer();
        }).then(function (answer) {
          return pc.setLocalDescription(answer);
        }).then(function () {
          signal({type: 'answer', to: s.from, sdp: pc.localDescription.toJSON()});
          return flushCandidates();
        });
      }
    }
    if (s.type === 'candidate' && s.from === remoteTab && pc) {
      if (pc.remoteDescription) { return pc.addIceCandidate(s.candidate); }
      pendingCandidates.push(s.candidate);
    }
    return Promise.resolve();
  }

  // ---- camera and microphone ---------------------------------------------------------------------------------

  function useTrack(kind, track) {
    if (local[kind] && local[kind] !== track) { local[kind].stop(); }
    local[kind] = track;
    if (pc) {
      pc.getTransceivers().forEach(function (t) {
        if (t.receiver.track.kind === kind && t.direction !== 'inactive') { t.sender.replaceTrack(track); }
      });
    }
    var tracks = [local.audio, local.video].filter(Boolean);
    selfVideo.srcObject = tracks.length ? new MediaStream(tracks) : null;
    selfVideo.closest('figure').hidden = !local.video;
  }

  function ask(constraints) {
    return navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
      stream.getTracks().forEach(function (track) { useTrack(track.kind, track); });
      return stream;
    });
  }

  function turnOn() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note('This browser cannot use a camera here (video needs a secure https connection). The chat works.');
      return;
    }
    ask({audio: true, video: {facingMode: facing}}).catch(function (error) {
      if (error.name === 'NotAllowedError' || error.name === 'SecurityError') { throw error; }
      return ask({audio: true}).catch(function () { return ask({video: true}); });  // one of the two is missing
    }).then(function () {
      $('media-ask').hidden = true;
      $('controls').hidden = false;
      note(!local.video ? 'No camera was found: ' + other + ' hears you, and you can still send photos.'
        : !local.audio ? 'No microphone was found: ' + other + ' sees you; use the chat to write.' : '');
      fillDevices();
      labelButtons();
    }).catch(function (error) {
      note(error.name === 'NotAllowedError' || error.name === 'SecurityError'
        ? 'You did not allow the camera and microphone, so this is a chat: ' + other + ' can still show you ' +
          'their video. To change your mind, allow them in the browser\'s address bar and press the button again.'
        : 'No camera or microphone was found, so this is a chat: ' + other + ' can still show you their video.');
    });
  }

  function fillDevices() {
    navigator.mediaDevices.enumerateDevices().then(function (devices) {
      [['videoinput', 'camera-select', 'video'], ['audioinput', 'mic-select', 'audio']].forEach(function (row) {
        var select = $(row[1]);
        var current = local[row[2]] && local[row[2]].getSettings().deviceId;
        select.textContent = '';
        devices.filter(function (d) { return d.kind === row[0]; }).forEach(function (d, n) {
          var option = new Option(d.label || (row[2] === 'video' ? 'Camera ' : 'Microphone ') + (n + 1), d.deviceId);
          option.selected = d.deviceId === current;
          select.append(option);
        });
        select.closest('label').hidden = select.options.length < 2;  // nothing to choose from
      });
      $('switch-camera').hidden = $('camera-select').options.length < 2;
    });
  }

  function labelButtons() {
    var mic = $('toggle-mic');
    var cam = $('toggle-camera');
    var micOff = !local.audio || !local.audio.enabled;
    var camOff = !local.video || !local.video.enabled;
    mic.setAttribute('aria-pressed', String(micOff));
    mic.textContent = micOff ? 'Unmute microphone' : 'Mute microphone';
    mic.disabled = !local.audio;
    cam.setAttribute('aria-pressed', String(camOff));
    cam.textContent = camOff ? 'Turn camera on' : 'Turn camera off';
    cam.disabled = !local.video;
  }

  function switchTo(kind, constraints) {
    if (kind === 'video' && local.video) { local.video.stop(); }  // a phone opens one camera at a time
    var wanted = {};
    wanted[kind] = constraints;
    return ask(wanted).then(fillDevices).catch(function () {
      note('That ' + (kind === 'video' ? 'camera' : 'microphone') + ' could not be opened.');
    });
  }

  if (call && cfg.isOpen) {
    call.hidden = false;
    $('media-on').addEventListener('click', turnOn);
    $('toggle-mic').addEventListener('click', function () {
      if (local.audio) { local.audio.enabled = !local.audio.enabled; }
      labelButtons();
    });
    $('toggle-camera').addEventListener('click', function () {
      if (local.video) { local.video.enabled = !local.video.enabled; }
      labelButtons();
    });
    $('switch-camera').addEventListener('click', function () {  // the front and the rear camera of a phone
      facing = facing === 'user' ? 'environment' : 'user';
      switchTo('video', {facingMode: {ideal: facing}});
    });
    $('camera-select').addEventListener('change', function (event) {
      switchTo('video', {deviceId: {exact: event.target.value}});
    });
    $('mic-select').addEventListener('change', function (event) {
      switchTo('audio', {deviceId: {exact: event.target.value}});
    });
    if (navigator.permissions && navigator.permissions.query) {  // allowed before: no need to ask again
      navigator.permissions.query({name: 'camera'}).then(function (status) {
        if (status.state === 'granted') { turnOn(); }
      }).catch(function () {});
    }
    window.addEventListener('online', restart);
  }

  function leave(sayBye) {
    if (source) { source.close(); }
    if (sayBye && call && cfg.isOpen) {
      var form = new FormData();
      form.append('csrf_token', csrf);
      form.append('signal', JSON.stringify({type: 'bye', from: me}));
      navigator.sendBeacon(cfg.urls.signals, form);
    }
    closePeer();
    ['audio', 'video'].forEach(function (kind) { if (local[kind]) { local[kind].stop(); } });
  }

  window.addEventListener('pagehide', function () { leave(true); });

  if (FINAL.indexOf(cfg.status) < 0) {
    if (call && cfg.isOpen) {
      signal({type: 'hello'}).then(listen);
    } else {
      listen();
    }
  }
}());
