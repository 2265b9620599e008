// The live room's page: one WebSocket (docs/room-protocol.md), a mirror of
// the room's state, and an ARIA live region that announces each change of
// turn. Every control is a plain button or form, so it works by keyboard.
(() => {
  "use strict";
  const root = document.getElementById("room");
  if (!root) return;
  const words = root.dataset;
  // The meeting, from the socket's path (`/meetings/{id}/room/ws`), for report links.
  const meeting = root.dataset.ws.split("/")[2];
  const $ = (id) => document.getElementById(id);
  const status = $("room-status");
  const announcer = $("announcer");
  const PROTOCOL = 2;
  const key = (who) => JSON.stringify(who);
  const ms = (duration) => duration.secs * 1000 + Math.floor(duration.nanos / 1e6);
  let socket = null;
  let seq = null;
  let you = null;
  let state = null;
  let turnMs = 180000;
  let offset = 0;
  let counter = 0;
  let cued = false;
  let ended = false;

  const person = (who) => state.people.find((p) => key(p.who) === key(who));
  const nameOf = (who) => (person(who) || { name: "?" }).name;
  const announce = (text) => {
    announcer.textContent = "";
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  };

  /** This person is no longer in the room: say so kindly, with where to
   * go, and stop reconnecting. */
  function endForYou() {
    ended = true;
    status.textContent = words.wordsEnded;
    const notice = $("room-ended");
    notice.hidden = false;
    notice.querySelector("a").focus();
  }

  function send(command) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    counter += 1;
    const id = `${Date.now().toString(36)}-${counter}`;
    socket.send(JSON.stringify({ v: PROTOCOL, id, command }));
  }

  function apply(event, atMs) {
    switch (event.type) {
      case "entered": {
        const known = person(event.who);
        if (known) known.present = true;
        else state.people.push({ who: event.who, name: event.name, present: true, has_spoken: false });
        break;
      }
      case "left":
      case "removed": {
        const gone = person(event.who);
        if (gone) gone.present = false;
        state.hands = state.hands.filter((h) => key(h.who) !== key(event.who));
        if (event.type === "removed" && key(event.who) === key(you)) endForYou();
        break;
      }
      case "round_started":
        state.mode = { kind: "round", order: event.order, position: 0 };
        state.hands = [];
        break;
      case "round_ended":
        state.mode = { kind: "open" };
        announce(words.wordsRoundEnded);
        break;
      case "sharing_opened":
        state.mode = { kind: "sharing" };
        announce(words.wordsSharing);
        break;
      case "turn_started":
        state.turn = { who: event.who, startedMs: atMs, number: event.turn };
        if (state.mode.kind === "round") {
          const place = state.mode.order.findIndex((who) => key(who) === key(event.who));
          if (place >= 0) state.mode.position = place;
        }
        state.hands = state.hands.filter((h) => key(h.who) !== key(event.who));
        cued = false;
        // Why this person: in open sharing, those who have not spoken go first.
        announce(`${words.wordsTurn} ${nameOf(event.who)}${
          state.mode.kind === "sharing" && !(person(event.who) || {}).has_spoken ? ` ${words.wordsNotSpokenYet}` : ""
        }`);
        break;
      case "turn_ended": {
        const spoke = person(event.who);
        if (spoke) {
          spoke.has_spoken = true;
          // Zero for everyone but the facilitator: totals are theirs alone.
          spoke.spokenMs = (spoke.spokenMs || 0) + ms(event.spoke);
        }
        state.turn = null;
        break;
      }
      case "hand_raised":
        state.hands.push({ who: event.who });
        break;
      case "hand_lowered":
        state.hands = state.hands.filter((h) => key(h.who) !== key(event.who));
        break;
      case "said":
        state.messages.push({ id: event.id, from: event.from, text: event.text });
        break;
      case "message_removed":
        state.messages = state.messages.filter((m) => m.id !== event.id);
        break;
      case "facilitator_changed":
        state.facilitator = event.to;
        break;
      case "listening_changed": {
        const listener = person(event.who);
        if (listener) listener.listening = event.listening;
        if (key(event.who) === key(you)) $("listening").checked = event.listening;
        break;
      }
      case "mute_changed": {
        const muted = person(event.who);
        if (muted) muted.muted = event.muted;
        break;
      }
      default:
        break;
    }
  }

  function list(id, items) {
    const element = $(id);
    element.replaceChildren(...items.map((entry) => {
      const item = document.createElement("li");
      const { text, actions, links = [] } = typeof entry === "string" ? { text: entry, actions: [] } : entry;
      item.append(document.createTextNode(text));
      // Links leave the room's page (a report opens its own form).
      for (const [label, href] of links) {
        const link = document.createElement("a");
        link.href = href;
        link.className = "small";
        link.textContent = label;
        item.append(" ", link);
      }
      for (const [label, command, confirmation] of actions) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "secondary small";
        button.textContent = label;
        button.addEventListener("click", () => {
          // What cannot be undone asks once more, on the same button.
          if (confirmation && button.dataset.armed !== "yes") {
            button.dataset.armed = "yes";
            button.textContent = confirmation;
            button.className = "danger small";
            return;
          }
          send(command);
        });
        item.append(" ", button);
      }
      return item;
    }));
  }

  const facilitating = () => state && key(state.facilitator) === key(you);
  const hosting = () => state && (state.hosts || []).some((h) => key(h) === key(you));
  const clock = (millis) => {
    const seconds = Math.round(millis / 1000);
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  };

  /** A person in the list: name, and for the facilitator their speaking
   * time and what may be done about them. */
  function personEntry(p) {
    const itsYou = key(p.who) === key(you);
    const mine = (itsYou ? ` ${words.wordsYou}` : "") + (p.listening ? ` ${words.wordsListening}` : "");
    if (!facilitating()) return p.name + mine;
    const spoken = p.spokenMs || 0;
    const text = `${p.name}${mine} — ${words.wordsSpoke} ${clock(spoken)}`;
    if (itsYou) return { text, actions: [] };
    const label = (word) => `${word} ${p.name}`;
    const actions = [[label(words.wordsCall), { type: "call", who: p.who }]];
    if (p.who.account !== undefined) actions.push([label(words.wordsHandOver), { type: "hand_over", to: p.who }]);
    actions.push([label(p.muted ? words.wordsUnmute : words.wordsMute), { type: "mute", who: p.who, muted: !p.muted }]);
    actions.push([label(words.wordsRemove), { type: "remove", who: p.who }, `${words.wordsConfirmRemove} ${p.name}`]);
    return { text, actions };
  }

  function render() {
    if (!state) return;
    document.querySelectorAll(".facilitator-only").forEach((element) => {
      element.hidden = !facilitating();
    });
    document.querySelectorAll(".host-only").forEach((element) => {
      element.hidden = !hosting() || facilitating();
    });
    const mine = (who) => (key(who) === key(you) ? ` ${words.wordsYou}` : "");
    $("turn").textContent = state.turn
      ? `${words.wordsSpeaking} ${nameOf(state.turn.who)}${mine(state.turn.who)}`
      : words.wordsNobody;
    // In a round, who comes next (the next in order who is here).
    const nextUp = $("next-up");
    const following = state.mode.kind === "round"
      ? state.mode.order.slice(state.mode.position + 1).find((who) => (person(who) || {}).present)
      : undefined;
    nextUp.hidden = !following;
    nextUp.textContent = following ? `${words.wordsNextUp} ${nameOf(following)}${mine(following)}` : "";
    list("queue", state.hands.map((h) => nameOf(h.who) + mine(h.who)));
    list("people", state.people.filter((p) => p.present).map(personEntry));
    list("chat", state.messages.map((m) => {
      const text = `${nameOf(m.from)}: ${m.text}`;
      const links = key(m.from) === key(you)
        ? []
        : [[`${words.wordsReport} ${nameOf(m.from)}`, `/report?kind=room_message&target=${meeting}/${m.id}`]];
      return facilitating()
        ? { text, links, actions: [[`${words.wordsRemoveMessage} ${nameOf(m.from)}`, { type: "remove_message", id: m.id }]] }
        : { text, links, actions: [] };
    }));
    tick();
  }

  /** A soft two-note chime, for those who ticked "sound". */
  function chime() {
    const Audio = window.AudioContext || window.webkitAudioContext;
    if (!Audio) return;
    const context = new Audio();
    [523.25, 659.25].forEach((frequency, i) => {
      const tone = context.createOscillator();
      const gain = context.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, context.currentTime + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.08, context.currentTime + i * 0.25 + 0.05);
      gain.gain.exponentialRampToValueAtTime(0.0001, context.currentTime + i * 0.25 + 0.6);
      tone.connect(gain).connect(context.destination);
      tone.start(context.currentTime + i * 0.25);
      tone.stop(context.currentTime + i * 0.25 + 0.7);
    });
  }

  function tick() {
    const timer = $("timer");
    if (!state || !state.turn) {
      timer.textContent = "";
      root.classList.remove("time-up");
      return;
    }
    // Never more than a whole turn, whatever the two clocks disagree by.
    const left = Math.min(turnMs, turnMs - (Date.now() - offset - state.turn.startedMs));
    const seconds = Math.max(0, Math.ceil(left / 1000));
    timer.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    if (left <= 0 && !cued) {
      // A gentle cue, never a cut-off.
      cued = true;
      root.classList.add("time-up");
      announce(words.wordsTimeUp);
      if ($("sound").checked) chime();
    }
  }

  function handle(message) {
    if (message.type === "welcome") {
      you = message.you;
      turnMs = message.turn_ms;
      offset = Date.now() - message.now_ms;
      if (message.room) {
        state = message.room;
        state.people.forEach((p) => { p.spokenMs = ms(p.spoken); });
        state.turn = state.turn
          ? { who: state.turn.who, startedMs: ms(state.turn.started), number: state.turn.number }
          : null;
        turnMs = ms(state.turn_length);
        const me = person(you);
        if (me) $("listening").checked = Boolean(me.listening);
      }
      seq = message.seq;
      status.textContent = words.wordsConnected || "";
      render();
    } else if (message.type === "events") {
      if (seq !== null && message.seq <= seq) return;
      seq = message.seq;
      message.events.forEach((event) => apply(event, message.at_ms));
      render();
      if (ended) {
        socket.close();
      }
    } else if (message.type === "closed") {
      ended = true;
      status.textContent = words.wordsClosed;
      socket.close();
    } else if (message.type === "error" && message.code === "unsupported_version") {
      // kith was updated since this page loaded: load it again.
      ended = true;
      window.location.reload();
    } else if (message.type === "removed" || (message.type === "error" && message.code === "removed")) {
      endForYou();
      socket.close();
    }
  }

  function connect() {
    const url = new URL(root.dataset.ws, window.location.href);
    url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    if (seq !== null) url.searchParams.set("after", String(seq));
    socket = new WebSocket(url);
    socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      if (ended) return;
      status.textContent = words.wordsReconnecting;
      window.setTimeout(connect, 2000);
    });
  }

  const turnNumber = () => (state && state.turn ? state.turn.number : null);
  const commands = {
    raise_hand: () => ({ type: "raise_hand" }),
    lower_hand: () => ({ type: "lower_hand" }),
    // `next` and `pass` name the turn they end, so two presses at once
    // end it once.
    pass: () => ({ type: "pass", turn: turnNumber() }),
    yield: () => (state && state.mode.kind === "round" ? { type: "next", turn: turnNumber() } : { type: "yield" }),
    start_round: () => ({ type: "start_round", shuffle: null }),
    start_round_shuffled: () => ({
      type: "start_round",
      shuffle: state.people.map(() => Math.floor(Math.random() * 2 ** 32)),
    }),
    next: () => ({ type: "next", turn: turnNumber() }),
    take_facilitation: () => ({ type: "take_facilitation" }),
    open_sharing: () => ({ type: "open_sharing" }),
    call: () => ({ type: "call", who: null }),
    end_round: () => ({ type: "end_round" }),
  };
  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-command]");
    if (button && commands[button.dataset.command]) send(commands[button.dataset.command]());
  });
  $("listening").addEventListener("change", (event) => {
    send({ type: "listen", listening: event.target.checked });
  });
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("chat-text");
    if (input.value.trim()) send({ type: "say", text: input.value });
    input.value = "";
  });
  const guests = $("guest-form");
  if (guests) {
    guests.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $("guest-name");
      if (input.value.trim()) send({ type: "add_guest", name: input.value.trim() });
      input.value = "";
    });
  }
  window.setInterval(tick, 1000);
  connect();
})();
